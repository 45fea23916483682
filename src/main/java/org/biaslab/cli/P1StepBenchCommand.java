package org.biaslab.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.data.Batch;
import org.biaslab.data.BatchPrefetch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Schedule;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.P1Objective;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;
import org.biaslab.tensor.cuda.Cuda;
import org.biaslab.train.CapturedStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code biaslab bench p1-step}: P1 training steps as the trainer runs them (fresh batch drawn on the CPU while the
 * previous step runs, forward, backward, AdamW, zeroGrad, then the per-member MSE read back) for an ensemble of E models on a device; prints time per
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

    @Option(names = "--warmup", defaultValue = "50", description = "untimed steps first; on the GPU then a collection, which returns their "
            + "blocks to the allocator's cache, so that timed steps no more than these call no cudaMalloc, as in a long run (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--n", defaultValue = "20") int n;
    @Option(names = "--batch", defaultValue = "1024") int batch;
    @Option(names = "--d", defaultValue = "128") int d;

    @Option(names = "--tf32", description = "cuBLAS TF32 tensor cores for the GEMMs (default: exact float32)")
    boolean tf32;

    @Option(names = "--phases", description = "also time the phases (batch, forward, backward, optimiser; with --graph: batch copy, replay, optimiser, loss read), waiting for the GPU after each")
    boolean phases;

    @Option(names = "--graph", description = "GPU: after the warm-up, capture forward, loss and backward as a CUDA graph and replay it in each"
            + " timed step (AdamW stays eager); each E runs with the graph, then without, and member 0's final losses are compared bit for bit")
    boolean graph;

    @Option(names = "--measure-batches", defaultValue = "0",
            description = "also time this many batches of P1's end-of-training measurement (loss, blowup, sharpness R 10) of the ensemble")
    int measureBatches;

    @Override
    public Integer call() {
        Device dev = Device.parse(device);
        if (dev == Device.CUDA) {
            Cuda.require();
            Cuda.setTf32(tf32);
        }
        if (graph && dev != Device.CUDA) throw new IllegalArgumentException("bench p1-step: --graph needs --device cuda");
        if (graph) CudaGraph.prepare(); // the eager and the graph runs with the same cuBLAS workspace
        for (int e : members) {
            if (e < 1) throw new IllegalArgumentException("bench p1-step: --members must be positive, got " + e);
            if (graph) {
                double[] lossGraph = new double[1], lossEager = new double[1];
                report(dev, e, time(dev, e, true, lossGraph), " with the CUDA graph");
                report(dev, e, time(dev, e, false, lossEager), " eager");
                System.out.printf("  member 0's final loss: graph %.9g, eager %.9g: %s%n", lossGraph[0], lossEager[0],
                        Double.compare(lossGraph[0], lossEager[0]) == 0 ? "the same bits" : "DIFFERENT");
            } else {
                report(dev, e, time(dev, e, false, new double[1]), "");
            }
        }
        return 0;
    }

    private static void report(Device dev, int e, double ms, String how) {
        System.out.printf("%s E=%d%s: %.2f ms/step, %.1f steps/s, %.0f model-steps/s%s%n", dev.name().toLowerCase(), e, how, ms,
                1000 / ms, e * 1000 / ms, dev == Device.CUDA
                        ? String.format(", GPU memory %.0f MiB in use + %.0f cached", Cuda.allocator().bytesInUse() / 1048576.0,
                                Cuda.allocator().bytesCached() / 1048576.0) : "");
    }

    /** Milliseconds per timed step; member 0's loss at the last step goes to {@code lastLoss[0]}. */
    private double time(Device dev, int e, boolean graphed, double[] lastLoss) {
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
        long t0 = 0, fromCuda = 0;
        double last = 0;
        long[] phase = new long[4];
        CapturedStep captured = null;
        try (BatchPrefetch batches = new BatchPrefetch(sampler, 0, warmup + steps, 0)) {
            for (int s = 0; s < warmup + steps; s++) {
                if (s == warmup) {
                    if (graphed) {
                        Batch first = batches.next();
                        captured = CapturedStep.capture(model, first, e);
                        captured.feed(first);
                    }
                    if (dev == Device.CUDA) {
                        Cuda.allocator().collect(); // the warm-up's dead blocks back in the cache, as in a long run
                        fromCuda = Cuda.allocator().blocksFromCuda();
                        Cuda.resetProfile();
                    }
                    t0 = System.nanoTime();
                    Arrays.fill(phase, 0);
                }
                if (captured != null) {
                    long p0 = System.nanoTime();
                    if (s > warmup) captured.feed(batches.next());
                    long p1 = System.nanoTime();
                    Tensor losses = captured.replay();
                    if (phases) Cuda.synchronize();
                    long p2 = System.nanoTime();
                    opt.step();
                    if (phases) Cuda.synchronize();
                    long p3 = System.nanoTime();
                    last = losses.toDoubleArray()[0]; // the trainer's divergence check reads the losses each step
                    addPhases(phase, p0, p1, p2, p3, System.nanoTime());
                    continue;
                }
                // the trainer's order: forward, backward and update queued, then the losses read (divergence check)
                long p0 = System.nanoTime();
                Batch b = batches.next();
                long p1 = System.nanoTime();
                Tensor losses = P1Objective.loss(P1Objective.predict(model, b), b.y(), e);
                if (phases && dev == Device.CUDA) Cuda.synchronize();
                long p2 = System.nanoTime();
                losses.sum().backward();
                if (phases && dev == Device.CUDA) Cuda.synchronize();
                long p3 = System.nanoTime();
                opt.step();
                opt.zeroGrad();
                last = losses.toDoubleArray()[0];
                addPhases(phase, p0, p1, p2, p3, System.nanoTime());
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        if (dev == Device.CUDA) {
            System.out.printf("  (%d blocks newly allocated from CUDA in the timed steps: 0 when the warm-up's freed blocks cover them)%n",
                    Cuda.allocator().blocksFromCuda() - fromCuda);
        }
        if (captured != null) {
            System.out.printf("  (CUDA graph: %.0f MiB of its own)%n", captured.bytes() / 1048576.0);
            captured.close();
        }
        if (measureBatches > 0 && !graphed) timeMeasurement(dev, model, sampler);
        System.out.printf("  (member 0's loss after %d steps: %.5f)%n", warmup + steps, last);
        lastLoss[0] = last;
        if (phases) {
            System.out.printf(graphed ? "  phases per step: the batch copied in %.3f ms, replay %.3f ms, AdamW %.3f ms, loss read %.3f ms%n"
                            : "  phases per step: waiting for the batch %.3f ms, forward + loss %.3f ms, backward %.3f ms, AdamW %.3f ms%n",
                    phase[0] / 1e6 / steps, phase[1] / 1e6 / steps, phase[2] / 1e6 / steps, phase[3] / 1e6 / steps);
        }
        return ms;
    }

    /** Adds the four phases between the five instants {@code t} to {@code phase}. */
    private static void addPhases(long[] phase, long... t) {
        for (int i = 0; i < phase.length; i++) phase[i] += t[i + 1] - t[i];
    }

    /**
     * Times P1's end-of-training measurement of the ensemble over {@code measureBatches} batches after a first one,
     * which also draws the sharpness noise (once per measurement, as in a sweep).
     */
    private void timeMeasurement(Device dev, P1Transformer model, Sampler sampler) {
        long[] first = new long[1];
        long t0 = System.nanoTime();
        FinalMeasurements.measure(model, i -> sampler.next(i, 2), measureBatches + 1, FinalMeasurements.Plan.p1(0), done -> {
            if (done == 1) first[0] = System.nanoTime();
        });
        if (dev == Device.CUDA) Cuda.synchronize();
        long end = System.nanoTime();
        double ms = (end - first[0]) / 1e6 / measureBatches;
        System.out.printf("  measurement of %d members: first batch (with the noise draw) %.0f ms, then %.2f ms per batch of %d;"
                + " P1's 1000 batches: %.0f s%n", model.members(), (first[0] - t0) / 1e6, ms, batch, (first[0] - t0) / 1e9 + ms * 999 / 1000);
    }
}