package org.biaslab.experiment.p1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.biaslab.data.Batch;
import org.biaslab.data.Sampler;
import org.biaslab.experiment.p1.RunMeasurements.LoadedRun;
import org.biaslab.nn.Module;
import org.biaslab.probe.P1Objective;
import org.biaslab.probe.Sharpness;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.probe.curvature.CapturedOperator;
import org.biaslab.probe.curvature.CurvatureOperator;
import org.biaslab.probe.curvature.Lanczos;
import org.biaslab.probe.curvature.LinearOperator;
import org.biaslab.probe.curvature.ParameterGroup;
import org.biaslab.probe.curvature.PowerIteration;
import org.biaslab.probe.curvature.SpectralDensity;
import org.biaslab.probe.curvature.Trace;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;

/**
 * The curvature of a run's loss at its latest checkpoint ({@code biaslab measure hessian}, docs/measurements.md): the
 * Hessian, or the Gauss-Newton matrix, of P1's MSE averaged over K measurement batches (data stream 2, as the other
 * measurements) with respect to a parameter group; its top eigenvalues and most negative one by Lanczos, power
 * iteration as a cross-check, the trace by Hutch++, per-layer top eigenvalues, the spectral density by stochastic
 * Lanczos quadrature, and P1's noise sharpness beside (ε²/2)·tr on the same batches and parameters.
 */
public final class RunCurvature {
    private RunCurvature() {}

    /**
     * What to compute.
     *
     * @param params         comma-separated globs over parameter names ({@code **} for all)
     * @param exclude        regular expression: parameters whose name contains a match are left out (blank: none)
     * @param gaussNewton    the Gauss-Newton matrix (2/N) JᵀJ instead of the Hessian
     * @param top            k top eigenvalues
     * @param smallest       also run Lanczos until the most negative eigenvalue has converged
     * @param stop           Lanczos' stopping rule: residuals, or estimated errors ({@link Lanczos.Stop}), ≤ tol·max|θ|
     * @param tol            its tolerance
     * @param maxSteps       Lanczos steps at most (per run of it)
     * @param power          power iteration with deflation for the same k, as a cross-check
     * @param traceProducts  Hutch++ products for the trace (0: no trace, no P1 link)
     * @param densitySteps   Lanczos steps per SLQ start vector (0: no density)
     * @param densityVectors SLQ start vectors
     * @param sigma          Gaussian smoothing width of the density, as a fraction of the range of its nodes
     * @param perLayer       the top eigenvalue of each layer's diagonal block
     * @param sharpness      P1's noise for the link S ≈ (ε²/2)·tr H (its exclusion is replaced by the group), or null
     * @param seed           seed of every random start and probe vector
     */
    public record Plan(String params, String exclude, boolean gaussNewton, int top, boolean smallest, Lanczos.Stop stop, double tol, int maxSteps,
                       boolean power, int traceProducts, int densitySteps, int densityVectors, double sigma, boolean perLayer,
                       SharpnessConfig sharpness, long seed) {
        public Plan {
            if (top < 1) throw new IllegalArgumentException("--top must be at least 1, got " + top);
            if (maxSteps < top) throw new IllegalArgumentException("--max-steps " + maxSteps + " cannot give " + top + " eigenvalues");
            if (!(tol > 0)) throw new IllegalArgumentException("--tol must be positive, got " + tol);
            if (traceProducts < 0 || traceProducts % 3 != 0) throw new IllegalArgumentException("--trace-products must be a multiple of 3, got " + traceProducts);
            if (densitySteps < 0 || densityVectors < 1) throw new IllegalArgumentException("--density-steps must be ≥ 0 and --density-vectors ≥ 1");
            if (!(sigma > 0)) throw new IllegalArgumentException("--sigma must be positive, got " + sigma);
        }

        /** Products at most: the bound for a progress bar. */
        long maxProducts(int layers) {
            long power100 = power ? 100L * top : 0;
            return maxSteps + power100 + traceProducts + (long) densitySteps * densityVectors + (perLayer ? (long) layers * maxSteps : 0);
        }
    }

    /** Hears the products done so far and the most there will be. */
    @FunctionalInterface
    public interface Progress {
        void at(long products, long atMost);
    }

    /** Power iteration's iterations per eigenvalue at most. */
    private static final int POWER_ITERATIONS = 100;
    /** Points of the density's grid. */
    private static final int GRID = 512;

    /**
     * Measures {@code run} with {@code plan} on {@code batches} batches of {@code batch} inputs; the map of
     * docs/measurements.md. On the GPU with one batch every product is captured once as a CUDA graph and replayed
     * ({@link CapturedOperator}: the eager products' bits, about 1.4× faster on P1's model); the graphs' device memory is
     * let go on return.
     */
    public static Map<String, Object> measure(LoadedRun run, Plan plan, int batches, int batch, Progress progress) {
        List<CapturedOperator> graphs = new ArrayList<>();
        try {
            return measure(run, plan, batches, batch, progress, graphs);
        } finally {
            graphs.forEach(CapturedOperator::close);
        }
    }

    private static Map<String, Object> measure(LoadedRun run, Plan plan, int batches, int batch, Progress progress,
                                               List<CapturedOperator> graphs) {
        if (batches < 1) throw new IllegalArgumentException("--batches must be at least 1, got " + batches);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        long t0 = System.nanoTime();
        Module model = run.model();
        var device = model.namedParameters().values().iterator().next().device();
        Sampler sampler = Sampler.uniform(List.of(run.task()), new long[] {run.config().seed()}, batch);
        Batch[] data = new Batch[batches];
        for (int k = 0; k < batches; k++) data[k] = sampler.next(k, RunMeasurements.STREAM).to(device);
        ParameterGroup group = ParameterGroup.select(model, plan.params(), plan.exclude());
        var layers = plan.perLayer() ? ParameterGroup.layers(model, plan.params(), plan.exclude()) : new LinkedHashMap<String, ParameterGroup>();
        long atMost = plan.maxProducts(layers.size());
        long[] done = {0};
        boolean replay = device == Device.CUDA && batches == 1;
        if (replay) CudaGraph.prepare(); // eager work and captures share cuBLAS's workspace
        Function<ParameterGroup, LinearOperator> operatorOn = g -> {
            CurvatureOperator op = plan.gaussNewton()
                    ? CurvatureOperator.gaussNewton(g, k -> P1Objective.predict(model, data[k]), batches)
                    : CurvatureOperator.hessian(g, k -> P1Objective.loss(P1Objective.predict(model, data[k]), data[k].y(), 1), batches);
            LinearOperator applied = op;
            if (replay) {
                CapturedOperator captured = CapturedOperator.of(op);
                graphs.add(captured);
                applied = captured;
            }
            return counted(applied, () -> progress.at(++done[0], atMost));
        };

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", run.dir().path().toString());
        out.put("step", run.step());
        out.put("batches", batches);
        out.put("batch", batch);
        out.put("operator", plan.gaussNewton() ? "gauss-newton" : "hessian");
        out.put("params", plan.params());
        out.put("exclude", plan.exclude());
        out.put("parameters", group.dim());
        out.put("seed", plan.seed());
        out.put("loss", meanLoss(model, data));

        LinearOperator h = operatorOn.apply(group);
        Lanczos.Result top = Lanczos.top(h, plan.top(), plan.smallest(), plan.stop(), plan.tol(), plan.maxSteps(), plan.seed());
        out.put("top_eigenvalues", top.eigenvalues()[0]);
        out.put("top_residuals", top.residuals()[0]);
        out.put("lanczos_steps", top.products());
        out.put("lanczos_stop", plan.stop().name().toLowerCase(Locale.ROOT));
        out.put("min_eigenvalue", top.smallest()[0]);
        out.put("min_residual", top.smallestResidual()[0]);
        if (plan.power()) {
            PowerIteration.Result p = PowerIteration.top(h, plan.top(), plan.tol(), POWER_ITERATIONS, plan.seed());
            out.put("power_eigenvalues", p.eigenvalues()[0]);
            out.put("power_products", p.products());
        }
        if (plan.traceProducts() > 0) {
            Trace.Estimate t = Trace.hutchPlusPlus(h, plan.traceProducts(), plan.seed());
            out.put("trace", t.trace()[0]);
            out.put("trace_stderr", t.stderr()[0]);
            out.put("trace_products", t.products());
        }
        if (!layers.isEmpty()) {
            Map<String, Object> perLayer = new LinkedHashMap<>();
            layers.forEach((name, g) -> {
                int held = graphs.size();
                Lanczos.Result r = Lanczos.top(operatorOn.apply(g), 1, false, plan.stop(), plan.tol(), plan.maxSteps(), plan.seed());
                while (graphs.size() > held) graphs.removeLast().close(); // a layer's graph goes before the next one's is captured
                perLayer.put(name, Map.of("top_eigenvalue", r.eigenvalues()[0][0], "residual", r.residuals()[0][0],
                        "parameters", g.dim(), "products", r.products()));
            });
            out.put("per_layer", perLayer);
        }
        if (plan.densitySteps() > 0) out.put("density", density(h, plan));
        out.put("hvps", done[0]);
        if (plan.traceProducts() > 0 && plan.sharpness() != null) out.put("p1", sharpnessLink(model, data, group, plan, (Double) out.get("trace")));
        out.put("seconds", (System.nanoTime() - t0) / 1e9);
        return out;
    }

    /** The SLQ quadrature and its Gaussian-smoothed density on a grid over its nodes ± 5σ. */
    private static Map<String, Object> density(LinearOperator h, Plan plan) {
        SpectralDensity.Quadrature q = SpectralDensity.estimate(h, plan.densitySteps(), plan.densityVectors(), plan.seed());
        double[] nodes = q.nodes()[0], weights = q.weights()[0];
        double lo = java.util.Arrays.stream(nodes).min().orElse(0), hi = java.util.Arrays.stream(nodes).max().orElse(0);
        double sigma = plan.sigma() * Math.max(hi - lo, Math.max(Math.abs(hi), 1e-12));
        double[] grid = SpectralDensity.grid(nodes, 5 * sigma, GRID);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", plan.densitySteps());
        out.put("vectors", plan.densityVectors());
        out.put("sigma", sigma);
        out.put("nodes", nodes);
        out.put("weights", weights);
        out.put("grid", grid);
        out.put("values", SpectralDensity.density(nodes, weights, grid, sigma));
        return out;
    }

    /** P1's noise sharpness on the same batches and parameters, beside (ε²/2)·tr, the value the trace predicts for small ε. */
    private static Map<String, Object> sharpnessLink(Module model, Batch[] data, ParameterGroup group, Plan plan, double trace) {
        SharpnessConfig s = plan.sharpness();
        // the noise goes exactly on the group: every other name is excluded
        String others = "^(?!(?:" + group.names().stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")$)";
        Sharpness noise = new Sharpness(model, new SharpnessConfig(s.eps(), s.repeats(), s.seed(), others, s.fixedDirections()));
        double mean = 0;
        for (Batch b : data) mean += noise.next(P1Objective.lossOn(model, b))[0] / data.length;
        double predicted = s.eps() * s.eps() / 2 * trace;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eps", s.eps());
        out.put("repeats", s.repeats());
        out.put("noise_seed", s.seed());
        out.put("sharpness", mean);
        out.put("trace_sharpness", predicted);
        out.put("ratio", mean / predicted);
        return out;
    }

    private static double meanLoss(Module model, Batch[] data) {
        double sum = 0;
        try (var off = GradMode.off()) {
            for (Batch b : data) sum += P1Objective.loss(P1Objective.predict(model, b), b.y(), 1).item();
        }
        return sum / data.length;
    }

    /** {@code op}, telling {@code tick} of each product. */
    private static LinearOperator counted(LinearOperator op, Runnable tick) {
        return new LinearOperator() {
            @Override
            public int members() {
                return op.members();
            }

            @Override
            public int dim() {
                return op.dim();
            }

            @Override
            public double[][] apply(double[][] v) {
                double[][] r = op.apply(v);
                tick.run();
                return r;
            }
        };
    }
}
