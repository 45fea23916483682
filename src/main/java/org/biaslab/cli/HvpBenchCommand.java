package org.biaslab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.io.TensorFile;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Schedule;
import org.biaslab.probe.P1Objective;
import org.biaslab.probe.curvature.CapturedOperator;
import org.biaslab.probe.curvature.CurvatureOperator;
import org.biaslab.probe.curvature.Lanczos;
import org.biaslab.probe.curvature.LinearOperator;
import org.biaslab.probe.curvature.ParameterGroup;
import org.biaslab.probe.curvature.PowerIteration;
import org.biaslab.tensor.Autograd;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.biaslab.tensor.cuda.Cuda;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code biaslab bench hvp}: the cost of a Hessian-vector product against a gradient on P1's model (PARITY, at its
 * initialisation or after a few AdamW steps, one batch), and the products and time that the top eigenvalue takes to 1e-3 relative by Lanczos and
 * by PyHessian's power iteration; {@code bench/curvature/hessian_top.py} times the same in PyTorch, on the same
 * weights and batch when given {@code --save DIR}.
 */
@Command(name = "hvp", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time Hessian-vector products against gradients on P1's model (d 128, 2 layers, n 20, batch 1024) and the top eigenvalue to 1e-3.")
public final class HvpBenchCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE})") String device;
    @Option(names = "--d", defaultValue = "128") int d;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--n", defaultValue = "20") int n;
    @Option(names = "--batch", defaultValue = "1024") int batch;
    @Option(names = "--seed", defaultValue = "0", description = "initialisation, batch and start-vector seed (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--repeats", defaultValue = "10", description = "timed gradients and products, alternated (default ${DEFAULT-VALUE})") int repeats;
    @Option(names = "--warmup", defaultValue = "3", description = "untimed ones first (default ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--train-steps", defaultValue = "0", description = "AdamW steps (P1's settings, PARITY) before measuring (default ${DEFAULT-VALUE}: the initialisation)")
    int trainSteps;
    @Option(names = "--solves", defaultValue = "5", description = "timed eigenvalue computations of each kind, the median reported (default ${DEFAULT-VALUE})")
    int solves;
    @Option(names = "--tol", defaultValue = "1e-3", description = "relative accuracy of the top eigenvalue (default ${DEFAULT-VALUE})") double tol;
    @Option(names = "--save", paramLabel = "DIR", description = "write the model, the batch and the results for bench/curvature/hessian_top.py")
    Path save;
    @Option(names = "--graph", description = "also capture the product as a CUDA graph and time its replays against the eager product (GPU only)")
    boolean graph;

    @Override
    public Integer call() throws IOException {
        Device dev = Device.parse(device);
        if (dev == Device.CUDA) Cuda.require();
        if (solves < 1) throw new IllegalArgumentException("bench hvp: --solves must be at least 1, got " + solves);
        if (graph && dev != Device.CUDA) throw new IllegalArgumentException("bench hvp: --graph needs --device cuda");
        if (graph) CudaGraph.prepare(); // eager and replayed products with the same cuBLAS workspace
        P1Transformer model = new P1Transformer(d, layers, 2, Math.max(n, 64), Init.f32(seed));
        model.to(dev);
        Sampler sampler = Sampler.uniform(List.of(BitTask.of(FunctionCatalog.parse("parity", n).get(0).function())), new long[] {seed}, batch);
        if (trainSteps > 0) {
            AdamW opt = new AdamW(model.namedParameters(), AdamWConfig.P1, Schedule.constant());
            for (int s = 0; s < trainSteps; s++) {
                Batch t = sampler.next(s, 0).to(dev);
                P1Objective.loss(P1Objective.predict(model, t), t.y(), 1).backward();
                opt.step();
                opt.zeroGrad();
            }
        }
        Batch b = sampler.next(0, 2).to(dev);
        ParameterGroup all = ParameterGroup.select(model, "**", null);
        System.out.printf("hvp: P1 model d %d, %d layers, n %d, batch %d, %,d parameters, %s, %d training steps%n", d, layers, n, batch, all.dim(),
                device, trainSteps);

        Tensor[] params = model.namedParameters().values().toArray(Tensor[]::new);
        Runnable gradient = () -> {
            Autograd.grad(P1Objective.loss(P1Objective.predict(model, b), b.y(), 1), params, null, false);
            if (dev == Device.CUDA) Cuda.synchronize();
        };
        CurvatureOperator h = CurvatureOperator.hessian(all, k -> P1Objective.loss(P1Objective.predict(model, b), b.y(), 1), 1);
        double[][] v = {new double[all.dim()]};
        v[0][0] = 1;
        long t0 = System.nanoTime();
        h.apply(v); // builds and keeps the gradient graph
        double firstMs = (System.nanoTime() - t0) / 1e6;
        // alternated, so that a change in the machine's load falls on both alike
        double[] ms = new double[2];
        for (int i = 0; i < warmup + repeats; i++) {
            long a = System.nanoTime();
            gradient.run();
            long c = System.nanoTime();
            h.apply(v);
            long e = System.nanoTime();
            if (i < warmup) continue;
            ms[0] += (c - a) / 1e6 / repeats;
            ms[1] += (e - c) / 1e6 / repeats;
        }
        double gradMs = ms[0], hvpMs = ms[1];
        if (dev == Device.CUDA) Cuda.resetProfile(); // with -Dbiaslab.cuda.profile=true: what follows is products only
        t0 = System.nanoTime();
        CurvatureOperator.hessian(all, k -> P1Objective.loss(P1Objective.predict(model, b), b.y(), 1), 1).apply(v);
        double againMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf("gradient %.2f ms; Hessian-vector product %.2f ms (%.2f× a gradient); recording the gradient graph with the first"
                + " product %.0f ms (again, warm: %.0f ms, what each product costs per batch with --batches > 1)%n",
                gradMs, hvpMs, hvpMs / gradMs, firstMs, againMs);

        Lanczos.Result reference = Lanczos.top(h, 1, false, 1e-7, 100, seed);
        double top = reference.eigenvalues()[0][0];
        System.out.printf("top eigenvalue %.8g (Lanczos to residual 1e-7·|θ|: %d products, residual %.2g)%n", top, reference.products(),
                reference.residuals()[0][0]);

        Lanczos lz = Lanczos.random(h, seed + 1);
        t0 = System.nanoTime();
        int lanczosSteps = 0;
        double lanczosValue;
        do {
            lz.step();
            lanczosSteps++;
            lanczosValue = lz.ritz(0).values()[0];
        } while (Math.abs(lanczosValue - top) > tol * Math.abs(top) && lanczosSteps < 100);
        double lanczosMs = (System.nanoTime() - t0) / 1e6;
        Solve residual = solve(h, Lanczos.Stop.RESIDUAL, top), gap = solve(h, Lanczos.Stop.GAP, top);
        Solve power = timed(null, top, i -> {
            PowerIteration.Result r = PowerIteration.top(h, 1, tol, 100, seed + 1 + i);
            return new Outcome(r.products(), r.eigenvalues()[0][0]);
        });
        System.out.printf("Lanczos: within %.0e of it after %d products (%.0f ms)%n", tol, lanczosSteps, lanczosMs);
        residual.print("Lanczos, residual rule (r ≤ tol·|θ|)");
        gap.print("Lanczos, gap rule (min(r, r²/δ) ≤ tol·|θ|)");
        power.print("power iteration (PyHessian's rule: stop when λ changes by ≤ " + tol + ")");
        Solve[] solved = {residual, gap};
        if (graph) solved = timeGraph(h, gradient, top);
        if (save != null) save(model.namedParameters(), b, top, gradMs, hvpMs, solved);
        return 0;
    }

    /**
     * A top eigenvalue computed {@code solves} times from different random starts: the fewest and most products, the
     * median time, and the largest relative error against the reference.
     */
    private record Solve(Lanczos.Stop stop, int fewest, int most, double ms, double error, int solves) { // stop: null for power iteration
        void print(String label) {
            System.out.printf("%s: %s products, %.1f ms (median of %d starts), error ≤ %.1e%n", label,
                    fewest == most ? fewest : fewest + "–" + most, ms, solves, error);
        }
    }

    /** One computation of the top eigenvalue: the products it took and its value. */
    private record Outcome(int products, double value) {}

    /** Lanczos' top eigenvalue of {@code op} by {@code stop}'s rule, timed from {@code solves} starts. */
    private Solve solve(LinearOperator op, Lanczos.Stop stop, double top) {
        return timed(stop, top, i -> {
            Lanczos.Result r = Lanczos.top(op, 1, false, stop, tol, 100, seed + 1 + i);
            return new Outcome(r.products(), r.eigenvalues()[0][0]);
        });
    }

    /** {@code run.apply(i)} from start i = 1 … solves (after an untimed i = 0), summed up against the reference {@code top}. */
    private Solve timed(Lanczos.Stop stop, double top, IntFunction<Outcome> run) {
        Outcome[] outcomes = new Outcome[solves + 1];
        double ms = medianMs(i -> outcomes[i] = run.apply(i));
        IntSummaryStatistics products = Arrays.stream(outcomes).mapToInt(Outcome::products).summaryStatistics();
        double error = Arrays.stream(outcomes).mapToDouble(o -> Math.abs(o.value() - top) / Math.abs(top)).max().orElse(0);
        return new Solve(stop, products.getMin(), products.getMax(), ms, error, solves);
    }

    /** The median wall time of {@code solve.accept(1 … solves)}, after an untimed {@code solve.accept(0)}: one start each. */
    private double medianMs(IntConsumer solve) {
        solve.accept(0);
        double[] ms = new double[solves];
        for (int i = 0; i < solves; i++) {
            long t0 = System.nanoTime();
            solve.accept(i + 1);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return solves % 2 == 1 ? ms[solves / 2] : (ms[solves / 2 - 1] + ms[solves / 2]) / 2;
    }

    /**
     * The product captured as a CUDA graph: its replays checked bit for bit against eager products of two vectors,
     * then a gradient, an eager product and a replayed one
     * timed alternately, and Lanczos' top eigenvalue on the replayed products by both stopping rules.
     */
    private Solve[] timeGraph(CurvatureOperator h, Runnable gradient, double top) {
        long t0 = System.nanoTime();
        try (CapturedOperator g = CapturedOperator.of(h)) {
            double captureMs = (System.nanoTime() - t0) / 1e6;
            double[][] e0 = {new double[h.dim()]}, e1 = {new double[h.dim()]};
            e0[0][0] = 1;
            Rng rng = new Rng(seed + 7);
            for (int i = 0; i < e1[0].length; i++) e1[0][i] = rng.normal();
            boolean same = Arrays.deepEquals(g.apply(e0), h.apply(e0)) && Arrays.deepEquals(g.apply(e1), h.apply(e1))
                    && Arrays.deepEquals(g.apply(e0), h.apply(e0));
            double[] ms = new double[3];
            for (int i = 0; i < warmup + repeats; i++) {
                long a = System.nanoTime();
                gradient.run();
                long c = System.nanoTime();
                h.apply(e1);
                long d = System.nanoTime();
                g.apply(e1);
                long e = System.nanoTime();
                if (i < warmup) continue;
                ms[0] += (c - a) / 1e6 / repeats;
                ms[1] += (d - c) / 1e6 / repeats;
                ms[2] += (e - d) / 1e6 / repeats;
            }
            System.out.printf("CUDA graph: captured in %.0f ms, %.0f MiB of its own; replayed products %s eager ones bit for bit%n", captureMs,
                    g.bytes() / 1048576.0, same ? "EQUAL" : "DIFFER FROM");
            System.out.printf("CUDA graph: gradient %.2f ms; eager product %.2f ms (%.2f× a gradient); replayed product %.2f ms (%.2f× a gradient, %.2f× faster)%n",
                    ms[0], ms[1], ms[1] / ms[0], ms[2], ms[2] / ms[0], ms[1] / ms[2]);
            Solve residual = solve(g, Lanczos.Stop.RESIDUAL, top), gap = solve(g, Lanczos.Stop.GAP, top);
            residual.print("CUDA graph: Lanczos, residual rule");
            gap.print("CUDA graph: Lanczos, gap rule");
            return new Solve[] {residual, gap};
        }
    }

    private void save(Map<String, Tensor> weights, Batch b, double top, double gradMs, double hvpMs, Solve[] solved) throws IOException {
        Files.createDirectories(save);
        Map<String, Tensor> host = new LinkedHashMap<>();
        weights.forEach((name, t) -> host.put(name, t.to(Device.CPU)));
        TensorFile.save(save.resolve("model.safetensors"), host, Map.of());
        TensorFile.save(save.resolve("batch.safetensors"), Map.of("x", b.x().to(Device.CPU), "y", b.y().to(Device.CPU)), Map.of());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("d", d);
        out.put("layers", layers);
        out.put("heads", 2);
        out.put("max_len", Math.max(n, 64));
        out.put("n", n);
        out.put("batch", batch);
        out.put("train_steps", trainSteps);
        out.put("device", device);
        out.put("top_eigenvalue", top);
        out.put("gradient_ms", gradMs);
        out.put("hvp_ms", hvpMs);
        out.put("graph", graph);
        for (Solve sv : solved) {
            String rule = sv.stop().name().toLowerCase(Locale.ROOT);
            out.put("lanczos_" + rule + "_products", sv.most());
            out.put("lanczos_" + rule + "_ms", sv.ms());
        }
        Files.writeString(save.resolve("biaslab.json"), BoolfnCommand.JSON.writeValueAsString(out) + "\n");
        System.out.println("written to " + save);
    }
}
