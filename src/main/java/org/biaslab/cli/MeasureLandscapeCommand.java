package org.biaslab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.data.Batch;
import org.biaslab.data.Sampler;
import org.biaslab.experiment.p1.RunMeasurements;
import org.biaslab.experiment.p1.RunMeasurements.LoadedRun;
import org.biaslab.probe.landscape.Evaluation;
import org.biaslab.probe.landscape.FilterNormalisation;
import org.biaslab.probe.landscape.Grid;
import org.biaslab.probe.landscape.Landscape;
import org.biaslab.probe.landscape.Slice;
import org.biaslab.report.Charts;
import org.biaslab.report.Contour;
import org.biaslab.report.Figure;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code biaslab measure landscape}: the loss of a run's latest checkpoint along a filter-normalised random
 * direction (Li et al. 2018) or the interpolation to another run, on a line or a plane, as CSV, JSON and plots in
 * RUN_DIR/landscape/ (docs/measurements.md).
 */
@Command(name = "landscape", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loss and accuracy along a filter-normalised random direction theta + alpha d (with --2d a plane, + beta e), "
                + "or along the interpolation (1 - alpha) theta + alpha theta_B to another run (--to); CSV, JSON, PNG and SVG in "
                + "RUN_DIR/landscape/. A killed plane resumes where it stopped."})
final class MeasureLandscapeCommand implements Callable<Integer> {
    @Mixin MeasureCommand.Target target;

    @Option(names = "--2d", description = "a plane: a second filter-normalised random direction e along beta")
    boolean plane;

    @Option(names = "--to", paramLabel = "OTHER_RUN_DIR", description = "interpolate to this run's latest checkpoint (same architecture)")
    Path to;

    @Option(names = "--steps", defaultValue = "21", description = "grid points per axis (S - 1 a multiple of 4 puts 0 and 1 on the default range). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--range", paramLabel = "A,B", description = "alpha (and beta) from A to B. Default: -1,1 along random directions (Li et al.), -0.5,1.5 with --to.")
    String range;

    @Option(names = "--batches", defaultValue = "4", description = "measurement batches K per point (data stream 2, as 'measure all'). Default: ${DEFAULT-VALUE}.")
    int batches;

    @Option(names = "--batch", description = "inputs per batch. Default: the run's training batch.")
    Integer batch;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random directions. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--include-bn-bias", description = "move biases and LayerNorm parameters too (direction = their values, as Li et al.); by default they stay fixed")
    boolean includeBiasAndNorm;

    @Option(names = "--out", paramLabel = "DIR", description = "write here instead of RUN_DIR/landscape")
    Path out;

    @Override
    public Integer call() throws Exception {
        double[] ab = parseRange(range != null ? range : to == null ? "-1,1" : "-0.5,1.5");
        Grid grid = plane ? Grid.square(ab[0], ab[1], steps) : Grid.line(ab[0], ab[1], steps);
        if (batches < 1) throw new IllegalArgumentException("--batches must be at least 1, got " + batches);
        LoadedRun run = target.load();
        int size = batch == null ? run.config().batch() : batch;
        if (size < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + size);
        Map<String, Tensor> theta = run.model().namedParameters();
        Rng rng = new Rng(seed);
        LoadedRun other = to == null ? null : LoadedRun.load(to);
        Slice slice;
        try {
            // δ is drawn first and η second from the same generator, so a plane's row β = 0 is the line of the same seed
            Map<String, Tensor> delta = other == null ? FilterNormalisation.randomDirection(theta, rng, includeBiasAndNorm) : null;
            Map<String, Tensor> eta = plane ? FilterNormalisation.randomDirection(theta, rng, includeBiasAndNorm) : null;
            slice = other == null ? Slice.along(run.model(), delta, eta) : Slice.between(run.model(), other.model().namedParameters(), eta);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(other == null ? e.getMessage() : "--to " + to + ": not the same architecture: " + e.getMessage());
        }
        Sampler sampler = Sampler.uniform(List.of(run.task()), new long[] {run.config().seed()}, size);
        List<Batch> data = new ArrayList<>();
        for (int i = 0; i < batches; i++) data.add(sampler.next(i, RunMeasurements.STREAM));

        String name = (other == null ? "random" : "interpolation") + (plane ? "-2d" : "-1d");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("kind", other == null ? "random" : "interpolation");
        settings.put("dims", plane ? 2 : 1);
        settings.put("step", run.step());
        if (other != null) {
            settings.put("to", to.toAbsolutePath().normalize().toString());
            settings.put("to_step", other.step());
        }
        settings.put("range", ab);
        settings.put("steps", steps);
        if (other == null || plane) settings.put("seed", seed);
        settings.put("include_bn_bias", includeBiasAndNorm);
        settings.put("batches", batches);
        settings.put("batch", size);
        Path dir = out != null ? out : target.runDir.resolve("landscape");
        Landscape.Result r;
        try (ProgressBar bar = Progress.bar("landscape", grid.size())) {
            r = Landscape.measure(slice, grid, Evaluation.p1(run.model(), data), dir, name, settings, bar::stepTo);
        }
        Figure figure = plane ? contours(r, other != null) : curves(r, other != null);
        figure.save(dir, name);
        if (target.json) {
            System.out.println(java.nio.file.Files.readString(dir.resolve(name + ".json")).strip());
        } else {
            print(r, name, run, size, other != null, dir);
        }
        return 0;
    }

    /** A and B of "A,B". */
    static double[] parseRange(String s) {
        String[] f = s.split(",");
        try {
            if (f.length == 2) return new double[] {Double.parseDouble(f[0].strip()), Double.parseDouble(f[1].strip())};
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("--range must be two numbers A,B, got '" + s + "'");
    }

    /** Loss (log scale) and accuracy along α. */
    private static Figure curves(Landscape.Result r, boolean interpolation) {
        double[] a = r.grid().alphas(), loss = new double[a.length], acc = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            loss[i] = r.loss()[i][0];
            acc[i] = r.accuracy()[i][0];
        }
        String where = interpolation ? "between the runs" : "along a random direction";
        String x = interpolation ? "α  (θ_A at 0, θ_B at 1)" : "α";
        XYChart l = Charts.lines("loss " + where, x, "loss", List.of(new Charts.Series("loss", a, loss)), true);
        XYChart c = Charts.lines("accuracy " + where, x, "accuracy", List.of(new Charts.Series("accuracy", a, acc)), false);
        return Figure.grid(2, List.of(l, c));
    }

    /** Contours of the loss (log-spaced levels) and the accuracy over the plane. */
    private static Figure contours(Landscape.Result r, boolean interpolation) {
        double[] a = r.grid().alphas(), b = r.grid().betas();
        Map<String, Charts.Point> marks = new LinkedHashMap<>();
        marks.put(interpolation ? "θ_A" : "θ", new Charts.Point(0, 0));
        if (interpolation) marks.put("θ_B", new Charts.Point(1, 0));
        String x = interpolation ? "α  (towards θ_B)" : "α";
        XYChart l = Contour.of("loss", x, "β", a, b, r.loss(), Contour.levels(r.loss(), 10, true), marks);
        XYChart c = Contour.of("accuracy", x, "β", a, b, r.accuracy(), Contour.levels(r.accuracy(), 8, false), marks);
        return Figure.grid(2, List.of(l, c));
    }

    private void print(Landscape.Result r, String name, LoadedRun run, int size, boolean interpolation, Path dir) {
        Grid g = r.grid();
        System.out.printf("%s: step %d, %s, %s points of [%s, %s]%s, %d batches of %d inputs per point (%d computed in %.1f s)%n",
                target.runDir, run.step(), interpolation ? "interpolation to " + to : "filter-normalised random direction" + (plane ? "s" : "")
                        + " (seed " + seed + (includeBiasAndNorm ? ", biases and LN included" : "") + ")",
                plane ? g.alphas().length + " × " + g.betas().length : Integer.toString(g.alphas().length),
                BoolfnCommand.number(g.alphas()[0]), BoolfnCommand.number(g.alphas()[g.alphas().length - 1]), plane ? "²" : "",
                batches, size, r.computed(), r.seconds());
        if (plane) {
            int bi = r.least()[0], bj = r.least()[1];
            System.out.printf("  least loss %.6g (accuracy %.4f) at alpha %s, beta %s%n", r.loss()[bi][bj], r.accuracy()[bi][bj],
                    BoolfnCommand.number(g.alphas()[bi]), BoolfnCommand.number(g.betas()[bj]));
        } else {
            System.out.printf("  %8s  %12s  %9s%n", "alpha", "loss", "accuracy");
            for (int i = 0; i < g.alphas().length; i++) {
                System.out.printf("  %8s  %12.6g  %9.4f%n", BoolfnCommand.number(g.alphas()[i]), r.loss()[i][0], r.accuracy()[i][0]);
            }
        }
        System.out.println("written to " + dir.resolve(name) + ".{csv,json,png,svg}");
    }
}
