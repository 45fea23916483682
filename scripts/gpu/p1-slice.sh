#!/usr/bin/env bash
# On the GPU machine (after scripts/gpu/pack.sh here): runs a slice of `reproduce p1 --device cuda` for at most SECONDS
# into target/gpu/NAME (kept while the machine stays warm), then packs the results without checkpoints into
# $OUT/NAME.tgz. Again with the same arguments to resume (each run checkpoints every 1000 steps) while the machine is
# warm; a fresh machine starts the unfinished runs over.
#   bash scripts/gpu/p1-slice.sh SECONDS NAME --experiments e1-short --functions parity --lengths 15,20 [--tf32]
# At home: mkdir -p runs/NAME && tar xzf NAME.tgz -C runs/NAME && ./biaslab reproduce p1 --report-only --out runs/NAME ...
set -uo pipefail
limit=$1 name=$2; shift 2
mkdir -p "target/gpu/$name"
timeout "$limit" bash .device/java.sh -Xmx24g org.biaslab.cli.Main reproduce p1 --device cuda --out "target/gpu/$name" "$@" > "target/gpu/$name.log" 2>&1
echo "$name: exit $? (124: stopped at ${limit} s; run again to resume)"
grep -v "incubator\|%.*\[" "target/gpu/$name.log" | tail -8
# each run's small files, its `latest` and its empty checkpoint directory: what a resumed `reproduce` needs to see it as
# trained and measured (about 4 kB a run)
[ -n "${OUT:-}" ] && tar czf "$OUT/$name.tgz" --exclude='*.safetensors' --exclude=report.html --exclude=plots --exclude=tb \
  -C "target/gpu/$name" . && cp "target/gpu/$name.log" "$OUT/" && ls -la "$OUT/$name.tgz"
