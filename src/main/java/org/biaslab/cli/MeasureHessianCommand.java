package org.biaslab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.experiment.p1.RunCurvature;
import org.biaslab.experiment.p1.RunMeasurements.LoadedRun;
import org.biaslab.probe.curvature.Lanczos;
import org.biaslab.report.Charts;
import org.biaslab.report.Figure;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code biaslab measure hessian}: the curvature of a run's loss at its latest checkpoint — top eigenvalues by
 * Lanczos, the trace by Hutch++ with P1's noise sharpness beside (ε²/2)·tr H, per-layer top eigenvalues, the spectral
 * density by stochastic Lanczos quadrature (plotted to RUN_DIR/plots/hessian_density.png and .svg). Fields:
 * docs/measurements.md.
 */
@Command(name = "hessian", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Curvature of the loss at the latest checkpoint: top eigenvalues (Lanczos), most negative eigenvalue, "
                + "trace (Hutch++) beside P1's noise sharpness, per-layer top eigenvalues, spectral density (SLQ); Hessian-vector "
                + "products through the engine's autodiff (docs/measurements.md)."})
public final class MeasureHessianCommand implements Callable<Integer> {
    @CommandLine.Mixin MeasureCommand.Target target;
    @CommandLine.Mixin MeasureCommand.Noise noise;

    @Option(names = "--top", defaultValue = "5", description = "top eigenvalues k. Default: ${DEFAULT-VALUE}.") int top;
    @Option(names = "--trace", description = "the trace by Hutch++, and P1's noise sharpness beside (eps^2/2)·tr H") boolean trace;
    @Option(names = "--density", description = "the spectral density by stochastic Lanczos quadrature, with its figure") boolean density;
    @Option(names = "--params", defaultValue = "**", description = "comma-separated globs over parameter names (* within a dotted part, ** across): e.g. 'encoders.layers.1.**'. Default: ${DEFAULT-VALUE} (all outside --exclude).")
    String params;
    @Option(names = "--batches", defaultValue = "1", description = "measurement batches K the Hessian is averaged over. Default: ${DEFAULT-VALUE}.") int batches;
    @Option(names = "--batch", description = "inputs per batch. Default: the run's training batch.") Integer batch;
    @Option(names = "--per-layer", description = "the top eigenvalue of each layer's block (numbered blocks, and the other modules)") boolean perLayer;
    @Option(names = "--min", description = "run Lanczos until the most negative eigenvalue has converged too") boolean min;
    @Option(names = "--power", description = "power iteration with deflation for the same k, as a cross-check (PyHessian's algorithm)") boolean power;
    @Option(names = "--gauss-newton", description = "the Gauss-Newton matrix (2/N) J^T J of the MSE instead of the Hessian") boolean gaussNewton;
    @Option(names = "--tol", defaultValue = "1e-3", description = "Lanczos stops at residuals (or, with --stop gap, estimated errors) <= tol·max|theta|. Default: ${DEFAULT-VALUE}.") double tol;
    @Option(names = "--stop", defaultValue = "residual", description = "residual (a bound; accurate eigenvectors too) or gap (the estimate min(r, r^2/gap): eigenvalues in fewer products). Default: ${DEFAULT-VALUE}.")
    String stop;
    @Option(names = "--max-steps", defaultValue = "100", description = "Lanczos steps at most. Default: ${DEFAULT-VALUE}.") int maxSteps;
    @Option(names = "--trace-products", defaultValue = "99", description = "Hutch++ products (a multiple of 3). Default: ${DEFAULT-VALUE}.") int traceProducts;
    @Option(names = "--density-steps", defaultValue = "50", description = "Lanczos steps per SLQ start vector. Default: ${DEFAULT-VALUE}.") int densitySteps;
    @Option(names = "--density-vectors", defaultValue = "1", description = "SLQ start vectors. Default: ${DEFAULT-VALUE}.") int densityVectors;
    @Option(names = "--sigma", defaultValue = "0.01", description = "Gaussian smoothing of the density, as a fraction of its range. Default: ${DEFAULT-VALUE}.") double sigma;

    @Override
    public Integer call() throws IOException {
        LoadedRun run = target.load();
        int b = batch == null ? run.config().batch() : batch;
        RunCurvature.Plan plan = new RunCurvature.Plan(params, noise.exclude, gaussNewton, top, min, Lanczos.Stop.parse(stop), tol, maxSteps, power,
                trace ? traceProducts : 0, density ? densitySteps : 0, densityVectors, sigma, perLayer, noise.config(), noise.seed);
        Map<String, Object> out;
        try (ProgressBar bar = Progress.bar("hessian-vector products", 1)) {
            out = RunCurvature.measure(run, plan, batches, b, (done, atMost) -> {
                bar.maxHint(atMost);
                bar.stepTo(done);
            });
        }
        if (density) out.put("density_figure", plot(run.dir().path(), (Map<?, ?>) out.get("density")).toString());
        if (target.json) {
            System.out.println(BoolfnCommand.JSON.writeValueAsString(out));
        } else {
            print(out);
        }
        return 0;
    }

    /** The density on a log axis (drawn at least at 1e-7 of its peak), to RUN_DIR/plots/hessian_density.png and .svg. */
    private static Path plot(Path runDir, Map<?, ?> density) throws IOException {
        double[] grid = (double[]) density.get("grid"), values = (double[]) density.get("values");
        double floor = 1e-7 * Arrays.stream(values).max().orElse(0);
        double[] shown = Arrays.stream(values).map(v -> Math.max(v, floor)).toArray();
        var chart = Charts.lines("Hessian eigenvalue density (SLQ)", "Eigenvalue", "Density", List.of(new Charts.Series("density", grid, shown)), true);
        Path dir = runDir.resolve("plots");
        Figure.of(chart).save(dir, "hessian_density");
        return dir.resolve("hessian_density.png");
    }

    private static void print(Map<String, Object> out) {
        System.out.printf("%s: step %s, %s batch(es) of %s inputs, %s over %,d parameters ('%s' outside /%s/), %s products in %.1f s%n",
                out.get("run"), out.get("step"), out.get("batches"), out.get("batch"), out.get("operator"), (Integer) out.get("parameters"),
                out.get("params"), out.get("exclude"), out.get("hvps"), (Double) out.get("seconds"));
        System.out.printf("  loss                %.6g%n", (Double) out.get("loss"));
        System.out.printf("  top eigenvalues     %s  (Lanczos, %s steps, %s rule; residuals %s)%n", numbers((double[]) out.get("top_eigenvalues")),
                out.get("lanczos_steps"), out.get("lanczos_stop"), numbers((double[]) out.get("top_residuals")));
        System.out.printf("  smallest Ritz value %.6g  (residual %.2g)%n", (Double) out.get("min_eigenvalue"), (Double) out.get("min_residual"));
        if (out.containsKey("power_eigenvalues")) {
            System.out.printf("  power iteration     %s  (%s products)%n", numbers((double[]) out.get("power_eigenvalues")), out.get("power_products"));
        }
        if (out.containsKey("trace")) {
            System.out.printf("  trace               %.6g ± %.2g  (Hutch++, %s products)%n", (Double) out.get("trace"), (Double) out.get("trace_stderr"),
                    out.get("trace_products"));
        }
        if (out.get("p1") instanceof Map<?, ?> p1) {
            System.out.printf("  P1 sharpness S      %.6g  (eps %s, R %s) against (eps^2/2)·tr H = %.6g: ratio %.3f%n", (Double) p1.get("sharpness"),
                    BoolfnCommand.number((Double) p1.get("eps")), p1.get("repeats"), (Double) p1.get("trace_sharpness"), (Double) p1.get("ratio"));
        }
        if (out.get("per_layer") instanceof Map<?, ?> layers) {
            layers.forEach((name, v) -> System.out.printf("  top eigenvalue of %-20s %.6g  (%,d parameters)%n", name,
                    (Double) ((Map<?, ?>) v).get("top_eigenvalue"), (Integer) ((Map<?, ?>) v).get("parameters")));
        }
        if (out.containsKey("density_figure")) System.out.println("  density             " + out.get("density_figure"));
    }

    private static String numbers(double[] v) {
        return Arrays.stream(v).mapToObj(x -> String.format("%.6g", x)).collect(Collectors.joining(", "));
    }
}
