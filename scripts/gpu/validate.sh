#!/usr/bin/env bash
# On the GPU machine (after scripts/gpu/pack.sh here), in one device call of under 10 minutes: the CUDA tests, the
# curvature figures of issue #14 against PyTorch, and the P1 ensemble step of issue #18 against PyTorch's vmap + compile,
# each step time-limited so that one hang does not take the others' time.
#   bash scripts/gpu/validate.sh [tests|hvp|p1|train|measure|profile|long]...   (default: tests, hvp, p1)
set -uo pipefail
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(tests hvp p1)
cli() { local limit=$1; shift; timeout "$limit" bash .device/java.sh org.biaslab.cli.Main "$@" 2>&1 | grep -v "incubator modules"; }
for part in "${parts[@]}"; do
  echo "== $part"
  case $part in
    tests) timeout 240 bash .device/java.sh -cp-tests RunTests org.biaslab.tensor.CudaBackendTest org.biaslab.tensor.CudaGraphTest \
      org.biaslab.nn.P1GraphTest org.biaslab.train.CapturedTrainingTest org.biaslab.probe.ReplayedMeasurementTest \
      "org.biaslab.experiment.p3.LmTrainingTest#aGpuEnsembleWithLargeTablesIsBitwiseRepeatable(java.nio.file.Path)" 2>&1 | tail -25 ;;
    hvp)
      cli 150 bench hvp --device cuda --train-steps 300 --save /tmp/hvp | tail -20
      timeout 90 python3 bench/curvature/hessian_top.py /tmp/hvp 2>&1 | tail -10 ;;
    p1)
      # issue #18's comparison: replayed and eager steps, then PyTorch's vmap + compile, in FP32 and with TF32 GEMMs
      cli 120 bench p1-step --device cuda --members 1,8,32 --graph | grep "E=\|same bits"
      cli 90 bench p1-step --device cuda --members 32 --graph --tf32 | grep "E=\|same bits"
      timeout 150 python3 bench/pytorch/p1_reference.py ensemble --members 1,8,32 --modes compiled 2>&1 | grep "ensemble:"
      timeout 150 python3 bench/pytorch/p1_reference.py ensemble --members 32 --modes compiled --tf32 2>&1 | grep "ensemble:" ;;
    train)
      timeout 200 bash .device/java.sh -cp-tests RunTests org.biaslab.train.CapturedTrainingTest org.biaslab.probe.ReplayedMeasurementTest 2>&1 | grep -v incubator | tail -8
      for g in --no-graph --graph; do  # --graph is the default on the GPU
        cli 150 train --device cuda --task parity --n 20 --steps 1000 --out /tmp/train$g $g | grep -v "%.*\[" | tail -2
      done
      # measure hessian on the GPU replays captured products (one batch); on the CPU it computes them eagerly
      for dev in cuda cpu; do
        cli 150 measure hessian /tmp/train--graph/parity-n20-s0 --device $dev --top 1 --trace | grep -v "%.*\[" | tail -6
      done ;;
    measure)
      # P1's end-of-training measurement per batch, E = 40 at n = 17 (docs/gpu.md: 415 ms eager, 83 ms replayed in session 37)
      cli 200 bench p1-step --device cuda --members 40 --n 17 --steps 5 --warmup 2 --measure-batches 20 | grep measurement ;;
    profile)
      # where a step and a measurement batch go: every kernel waits and is timed (so small ones count ≥ 10 µs)
      # (the profile counts from the timed steps on and prints at exit: first the steps, then mostly the measurement,
      # then the single model's step, whose replay is slower than its eager step)
      for args in "--members 32 --steps 20 --warmup 3" "--members 32 --steps 1 --warmup 1 --measure-batches 5" \
                  "--members 1 --steps 50 --warmup 5"; do
        timeout 200 bash .device/java.sh -Dbiaslab.cuda.profile=true org.biaslab.cli.Main bench p1-step --device cuda \
          $args 2>&1 | grep "E=\|measurement\|CUDA profile\|^  [a-z]"
      done ;;
    long)
      # E1's long sweep at n = 512 (d 4, batch 128): step and measurement batch at E = 9 and 30, then the kernel profile
      # of E = 30 (every entry: the header line first, then the 25 largest)
      for e in 9 30; do
        cli 90 bench p1-step --device cuda --members $e --d 4 --batch 128 --n 512 --steps 30 --warmup 3 --measure-batches 3 --graph \
          | grep "measurement\|E="
      done
      for args in "--steps 10 --warmup 2" "--steps 1 --warmup 1 --measure-batches 3"; do
        timeout 120 bash .device/java.sh -Dbiaslab.cuda.profile=true org.biaslab.cli.Main bench p1-step --device cuda --members 30 \
          --d 4 --batch 128 --n 512 $args 2>&1 | grep "E=\|measurement\|CUDA profile\|^  [a-z]"
      done ;;
    *) echo "unknown part $part (tests, hvp, p1, train, measure, profile, long)"; exit 2 ;;
  esac
done
