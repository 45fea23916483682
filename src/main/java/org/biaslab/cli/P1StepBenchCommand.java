package org.biaslab.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Schedule;
import org.biaslab.probe.P1Objective;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;
import org.biaslab.tensor.cuda.Cuda;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code biaslab bench p1-step}: P1 training steps as the trainer runs them (fresh batch drawn on the CPU, forward,
 * per-member MSE read back, backward, AdamW, zeroGrad) for an ensemble of E models on a device; prints time per
 * step and model-steps per second, the throughput a sweep gets.
 */
@Command(name = "p1-step", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time P1 training steps (d 128, 2 layers, batch 1024, n 20 by default) for an ensemble on the CPU or GPU.")
public final class P1StepBenchCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--members", split = ",", defaultValue = "1", description = "ensemble sizes to time, e.g. 1,8,64 (default ${DEFAULT-VALUE})")
    List<Integer> members;

    @Option(names = "--steps", defaultValue = "50", description = "timed steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "10", description = "untimed steps first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--n", defaultValue = "20") int n;
    @Option(names = "--batch", defaultValue = "1024") int batch;
    @Option(names = "--d", defaultValue = "128") int d;

    @Option(names = "--tf32", description = "cuBLAS TF32 tensor cores for the GEMMs (default: exact float32)")
    boolean tf32;

    @Option(names = "--phases", description = "also time the phases (batch, forward, backward, optimiser), waiting for the GPU after each")
    boolean phases;

    @Override
    public Integer call() {
        Device dev = Device.parse(device);
        if (dev == Device.CUDA) {
            Cuda.require();
            Cuda.setTf32(tf32);
        }
        for (int e : members) {
            if (e < 1) throw new IllegalArgumentException("bench p1-step: --members must be positive, got " + e);
            double ms = time(dev, e);
            System.out.printf("%s E=%d: %.2f ms/step, %.1f steps/s, %.0f model-steps/s%s%n", dev.name().toLowerCase(), e, ms,
                    1000 / ms, e * 1000 / ms, dev == Device.CUDA
                            ? String.format(", GPU memory %.0f MiB in use + %.0f cached", Cuda.allocator().bytesInUse() / 1048576.0,
                                    Cuda.allocator().bytesCached() / 1048576.0) : "");
        }
        return 0;
    }

    private double time(Device dev, int e) {
        long[] seeds = new long[e];
        for (int i = 0; i < e; i++) seeds[i] = i;
        P1Transformer model = new P1Transformer(d, 2, 2, Math.max(n, 64), Init.f32(seeds));
        model.to(dev);
        AdamWConfig c = AdamWConfig.P1;
        double[] lr = new double[e];
        Arrays.fill(lr, c.lr());
        AdamW opt = e == 1 ? new AdamW(model.namedParameters(), c, Schedule.constant()) : new AdamW(model.namedParameters(), c, Schedule.constant(), lr);
        List<BitTask> tasks = new ArrayList<>();
        for (int i = 0; i < e; i++) tasks.add(BitTask.of(FunctionCatalog.parse("parity", n).get(0).function()));
        Sampler sampler = Sampler.uniform(tasks, seeds, batch);
        long t0 = 0;
        double last = 0;
        long[] phase = new long[4];
        for (int s = 0; s < warmup + steps; s++) {
            if (s == warmup) {
                if (dev == Device.CUDA) Cuda.resetProfile();
                t0 = System.nanoTime();
                java.util.Arrays.fill(phase, 0);
            }
            long p0 = System.nanoTime();
            Batch b = sampler.next(s, 0);
            long p1 = System.nanoTime();
            Tensor losses = P1Objective.loss(P1Objective.predict(model, b), b.y(), e);
            double[] l = losses.toDoubleArray(); // the trainer reads every step's losses (divergence check)
            last = l[0];
            long p2 = System.nanoTime();
            losses.sum().backward();
            if (phases && dev == Device.CUDA) Cuda.synchronize();
            long p3 = System.nanoTime();
            opt.step();
            opt.zeroGrad();
            if (phases && dev == Device.CUDA) Cuda.synchronize();
            long p4 = System.nanoTime();
            phase[0] += p1 - p0;
            phase[1] += p2 - p1;
            phase[2] += p3 - p2;
            phase[3] += p4 - p3;
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        System.out.printf("  (member 0's loss after %d steps: %.5f)%n", warmup + steps, last);
        if (phases) {
            System.out.printf("  phases per step: batch %.2f ms, forward + loss %.2f ms, backward %.2f ms, AdamW %.2f ms%n",
                    phase[0] / 1e6 / steps, phase[1] / 1e6 / steps, phase[2] / 1e6 / steps, phase[3] / 1e6 / steps);
        }
        return ms;
    }
}
