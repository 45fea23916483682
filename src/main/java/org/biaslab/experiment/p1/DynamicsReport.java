package org.biaslab.experiment.p1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.biaslab.experiment.p1.DynamicsAlignment.Curve;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.report.Charts;
import org.biaslab.report.Charts.Series;
import org.biaslab.report.DynamicsCharts;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;
import org.biaslab.report.RunReport;
import org.biaslab.report.SweepReport;
import org.biaslab.train.RunConfig;
import org.biaslab.train.Trainer;
import org.knowm.xchart.XYChart;

/**
 * The report of P1's E3: per training length and weight decay, P1's four stacked panels (loss, sharpness ×4, LayerNorm
 * blowup on a log axis, weight norm) against steps after convergence, each run faint and the mean bold; the
 * blowup–norm trajectory inside the window after convergence; and a table of the mean curves at landmarks. P1's run
 * filter: a run enters when its final eval loss is below 0.001 ({@link #whyExcluded}); it is aligned at the first step whose
 * fixed-batch loss is below 0.01.
 */
public final class DynamicsReport {
    /** The logged metrics drawn, in panel order; sharpness is drawn ×4 and the weight norm as the root of its square. */
    static final List<String> KEYS = List.of("dynamic/loss", "dynamic/sharpness", "dynamic/" + FinalMeasurements.FIGURE_BLOWUP,
            "dynamic/squared_param_norm");
    private static final List<String> LABELS = List.of("Loss", "Sharpness (×4)", "LayerNorm blowup", "Weight norm (L2)");

    /** One run's measured curves against its steps (the four quantities of {@link #KEYS}, as drawn). */
    record Trace(String name, double[] steps, List<double[]> values) {}

    /**
     * The runs of one training length and weight decay, summarised from their mean curves (NaN where a mean curve has
     * no value).
     *
     * @param converged      runs that pass P1's filter (final eval loss below 0.001) and are aligned (the others are excluded)
     * @param convergedAt    their median convergence step
     * @param sharpness      mean sharpness ×4: its minimum before convergence, at convergence and at the last x
     * @param blowup         mean blowup at the same three points
     * @param windowNorm     mean weight norm at the start and at the end of the trajectory window
     * @param windowBlowup   mean blowup at the start and at the end of the window
     */
    public record Group(long steps, double weightDecay, int runs, int converged, double convergedAt, double[] sharpness,
                        double[] blowup, double[] windowNorm, double[] windowBlowup) {
        /** A line such as "1000 steps, wd 0.1: 2/2 converged (median step 450); sharpness ×4 0.08 → 0.2 → 0.3 …". */
        public String line() {
            return String.format(Locale.ROOT, "%d steps, wd %s: %d/%d converged (median step %.0f); sharpness ×4 %.3g → %.3g → %.3g "
                    + "and blowup %.3g → %.3g → %.3g (lowest before convergence → at it → at the end); in the window norm %.4g → %.4g, "
                    + "blowup %.3g → %.3g",
                    steps, weightDecay, converged, runs, convergedAt, sharpness[0], sharpness[1], sharpness[2], blowup[0], blowup[1],
                    blowup[2], windowNorm[0], windowNorm[1], windowBlowup[0], windowBlowup[1]);
        }
    }

    private DynamicsReport() {}

    /**
     * P1's filter of E3's runs: the final eval loss (summary {@code eval/loss}) is below 0.001; empty when the run passes,
     * else why not.
     */
    static Optional<String> whyExcluded(Map<String, Object> summary) {
        if (summary == null) return Optional.of("not finished (no summary.json)");
        if (summary.get("eval/loss") instanceof Number loss && loss.doubleValue() < SweepReport.CONVERGED_EVAL_LOSS) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "final eval loss %s is not below %s (P1's filter)",
                summary.get("eval/loss") instanceof Number l ? String.format(Locale.ROOT, "%.3g", l.doubleValue()) : "missing",
                SweepReport.CONVERGED_EVAL_LOSS));
    }

    /**
     * The experiment in one line: converged runs, and per group (steps/wd) the mean sharpness ×4 and blowup from their
     * lowest before convergence to convergence, and the weight norm over the window.
     */
    public static String line(List<Group> groups) {
        int runs = groups.stream().mapToInt(Group::runs).sum(), converged = groups.stream().mapToInt(Group::converged).sum();
        if (groups.isEmpty()) return "no runs trained yet";
        List<String> rise = new ArrayList<>(), after = new ArrayList<>();
        for (Group g : groups) {
            if (g.converged() == 0) continue; // nothing aligned: its values are NaN
            String name = (groups.stream().map(Group::steps).distinct().count() > 1 ? g.steps() + " steps " : "") + "wd " + g.weightDecay();
            rise.add(String.format(Locale.ROOT, "%s %.3g → %.3g, %.3g → %.3g", name, g.sharpness()[0], g.sharpness()[1], g.blowup()[0],
                    g.blowup()[1]));
            after.add(String.format(Locale.ROOT, "%s %.4g → %.4g", name, g.windowNorm()[0], g.windowNorm()[1]));
        }
        if (rise.isEmpty()) return String.format(Locale.ROOT, "%d of %d runs converged: nothing to align yet", converged, runs);
        return String.format(Locale.ROOT, "%d of %d runs converged; sharpness ×4 and blowup from their lowest before "
                + "convergence to convergence: %s; weight norm across the window after it: %s", converged, runs, String.join("; ", rise), String.join("; ", after));
    }

    /**
     * Writes {@code dir/report.html} (charts under {@code dir/plots/}) for the trained {@code runs} of {@code e3}, whose
     * other {@code notStarted} runs have no directory yet.
     */
    static List<Group> write(Path dir, Dynamics e3, List<Trainer.Run> runs, int notStarted) throws IOException {
        Map<String, List<Trainer.Run>> byGroup = new LinkedHashMap<>();
        for (Trainer.Run r : runs) byGroup.computeIfAbsent(Dynamics.group(r.config()), k -> new ArrayList<>()).add(r);
        Path plots = dir.resolve("plots");
        List<String> excluded = new ArrayList<>();
        if (notStarted > 0) excluded.add(SweepReport.notStarted(notStarted, runs.size() + notStarted, "grid"));
        List<Group> groups = new ArrayList<>();
        HtmlReport html = new HtmlReport("Hahn & Rofin E3: sharpness and LayerNorm blowup during training");
        html.paragraph(String.format(Locale.ROOT, "PARITY on n = %d bits, %d seeds per weight decay, measured every %d steps on one "
                + "fixed batch of %d inputs drawn before training (sharpness: ε 0.02, R = %d, the noise re-seeded with the run's seed "
                + "at every measurement). Only converged runs enter: %s Each run is shifted to steps after convergence: step − its "
                + "first measured step with loss < %s. Mean curves use the x values present in at least a quarter of the converged "
                + "runs.", e3.n(), e3.seeds().size(), e3.every(), e3.batch(), e3.repeats(),
                SweepReport.filter(runs.stream().map(Trainer.Run::config).toList()), DynamicsAlignment.CONVERGED_LOSS));
        Map<Long, List<XYChart>> trajectories = new LinkedHashMap<>();
        int colour = 0;
        for (var entry : byGroup.entrySet()) {
            RunConfig c = entry.getValue().get(0).config();
            List<Curve[]> aligned = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<Double> convergence = new ArrayList<>();
            List<Trace> training = new ArrayList<>();
            for (Trainer.Run r : entry.getValue()) {
                if (!r.dir().finished()) {
                    training.add(trace(r));
                    excluded.add(entry.getKey() + "/" + r.dir().path().getFileName() + ": still training (drawn apart, unfiltered)");
                    continue;
                }
                Optional<String> dropped = whyExcluded(r.dir().summary());
                if (dropped.isPresent()) {
                    excluded.add(entry.getKey() + "/" + r.dir().path().getFileName() + ": " + dropped.get());
                    continue;
                }
                Trace t = trace(r);
                OptionalDouble at = DynamicsAlignment.convergenceStep(t.steps(), t.values().get(0));
                if (at.isEmpty()) {
                    double[] loss = t.values().get(0);
                    excluded.add(String.format(Locale.ROOT, "%s/%s: the fixed-batch loss never went below %s (last %.3g)", entry.getKey(),
                            t.name(), DynamicsAlignment.CONVERGED_LOSS, loss.length == 0 ? Double.NaN : loss[loss.length - 1]));
                    continue;
                }
                convergence.add(at.getAsDouble());
                Curve[] curves = new Curve[KEYS.size()];
                for (int k = 0; k < curves.length; k++) {
                    curves[k] = DynamicsAlignment.shift(new Curve(t.steps(), t.values().get(k)), at.getAsDouble());
                }
                aligned.add(curves);
                names.add(t.name());
            }
            RunReport.writeMissing(entry.getValue().stream().map(r -> r.dir().path()).toList());
            Curve[] mean = new Curve[KEYS.size()];
            for (int k = 0; k < mean.length; k++) {
                int key = k;
                mean[k] = DynamicsAlignment.mean(aligned.stream().map(a -> a[key]).toList());
            }
            Group g = summary(c, entry.getValue().size(), convergence, mean, e3);
            groups.add(g);

            String title = String.format(Locale.ROOT, "%d steps, weight decay %s", c.steps(), c.weightDecay());
            String file = String.format(Locale.ROOT, "e3_main_%d_wd%s", c.steps(), c.weightDecay());
            html.section(title);
            html.paragraph(g.line() + ".");
            if (!training.isEmpty()) progress(html, plots, file, training);
            if (aligned.isEmpty()) {
                html.paragraph("No run converged: nothing to align.");
                continue;
            }
            List<XYChart> panels = new ArrayList<>();
            for (int k = 0; k < KEYS.size(); k++) {
                int key = k;
                List<Series> each = aligned.stream().map(a -> series("run", a[key])).toList();
                panels.add(DynamicsCharts.aligned(LABELS.get(k), LABELS.get(k), each, series("mean", mean[k]), k == 0 || k == 2, colour));
            }
            html.figure(Figure.grid(1, panels).save(plots, file), "Top to bottom: fixed-batch loss (" + Charts.LOG_AXIS + "), sharpness ×4, "
                    + "LayerNorm blowup (" + Charts.LOG_AXIS + "), weight norm, against steps after convergence; each converged run faint, their mean "
                    + "bold, the red dashed line at convergence (x = 0).", "plots/" + file + ".svg");
            html.interactive(interactive(title, entry.getKey(), names, aligned, mean));
            html.table(List.of("steps after convergence", "loss", "sharpness ×4", "blowup", "weight norm"), landmarks(mean, e3));
            trajectories.computeIfAbsent(c.steps(), k -> new ArrayList<>()).add(trajectory(title, aligned, mean, e3, colour));
            colour++;
        }
        for (var t : trajectories.entrySet()) {
            html.section(t.getKey() + " steps: LayerNorm blowup against weight norm after convergence");
            String file = "e3_tradeoff_" + t.getKey();
            html.figure(Figure.grid(2, t.getValue()).save(plots, file), String.format(Locale.ROOT, "Weight norm against LayerNorm "
                    + "blowup (" + Charts.LOG_AXIS + ") for %s < steps after convergence < %s, one panel per weight decay; each run faint, the mean "
                    + "bold. P1: under weight decay the norm falls while the blowup rises.", num(e3.windowFrom()), num(e3.windowTo())),
                    "plots/" + file + ".svg");
        }
        html.exclusions(excluded);
        html.write(dir.resolve("report.html"));
        return groups;
    }

    /**
     * The runs of a group still training, against their steps: P1's filter reads the final eval loss, so they are
     * neither filtered nor aligned yet; drawn so that a sweep shows how it goes while it runs.
     */
    private static void progress(HtmlReport html, Path plots, String file, List<Trace> training) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (int k = 0; k < KEYS.size(); k++) {
            int key = k;
            List<Series> each = training.stream().map(t -> new Series(t.name(), t.steps(), t.values().get(key))).toList();
            panels.add(Charts.lines(LABELS.get(k), "Step", LABELS.get(k), each, k == 0 || k == 2));
        }
        long last = (long) training.stream().mapToDouble(t -> t.steps().length == 0 ? 0 : t.steps()[t.steps().length - 1]).max().orElse(0);
        html.figure(Figure.grid(1, panels).save(plots, file + "_training"), String.format(Locale.ROOT, "Still training (%d run%s, up "
                + "to step %d): fixed-batch loss (%s), sharpness ×4, LayerNorm blowup (%s) and weight norm against the step, not yet "
                + "filtered or aligned.", training.size(), training.size() == 1 ? "" : "s", last, Charts.LOG_AXIS, Charts.LOG_AXIS),
                "plots/" + file + "_training.svg");
    }

    /**
     * The stacked panels as an interactive chart: a thin line per converged run (hover: its name and value; a click opens
     * its report, beside the group's directory) and the mean bold; the legend toggles a run in every panel.
     */
    private static InteractiveChart interactive(String title, String group, List<String> names, List<Curve[]> aligned, Curve[] mean) {
        List<InteractiveChart.Panel> panels = new ArrayList<>();
        for (int k = 0; k < KEYS.size(); k++) {
            List<InteractiveChart.Group> groups = new ArrayList<>();
            for (int r = 0; r < aligned.size(); r++) {
                groups.add(new InteractiveChart.Group(names.get(r), marks(aligned.get(r)[k]), InteractiveChart.Draw.THIN_LINE,
                        group + "/" + names.get(r) + "/report.html"));
            }
            groups.add(new InteractiveChart.Group("mean", marks(mean[k]), InteractiveChart.Draw.LINE));
            panels.add(new InteractiveChart.Panel(LABELS.get(k), k == 0 || k == 2, groups));
        }
        return new InteractiveChart(title + " (interactive: hover a run, toggle it, zoom)", "Steps after convergence", false, panels);
    }

    private static List<InteractiveChart.Mark> marks(Curve c) {
        List<InteractiveChart.Mark> marks = new ArrayList<>();
        for (int i = 0; i < c.x().length; i++) marks.add(new InteractiveChart.Mark(c.x()[i], c.y()[i]));
        return marks;
    }

    /** A run's logged dynamic measurements (the lines that have them), as drawn. */
    private static Trace trace(Trainer.Run r) throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (Map<String, Object> m : r.dir().metrics()) {
            if (!(m.get(KEYS.get(0)) instanceof Number)) continue;
            double[] row = new double[KEYS.size() + 1];
            row[0] = ((Number) m.get("step")).doubleValue();
            for (int k = 0; k < KEYS.size(); k++) row[k + 1] = m.get(KEYS.get(k)) instanceof Number v ? v.doubleValue() : Double.NaN;
            row[2] *= 4; // P1 plots sharpness ×4 (MSE on ±1 labels)
            row[4] = Math.sqrt(row[4]);
            rows.add(row);
        }
        double[] steps = rows.stream().mapToDouble(v -> v[0]).toArray();
        List<double[]> values = new ArrayList<>();
        for (int k = 0; k < KEYS.size(); k++) {
            int col = k + 1;
            values.add(rows.stream().mapToDouble(v -> v[col]).toArray());
        }
        return new Trace(r.dir().path().getFileName().toString(), steps, values);
    }

    private static Group summary(RunConfig c, int runs, List<Double> convergence, Curve[] mean, Dynamics e3) {
        double median = Double.NaN;
        if (!convergence.isEmpty()) {
            List<Double> sorted = convergence.stream().sorted().toList();
            int m = sorted.size();
            median = m % 2 == 1 ? sorted.get(m / 2) : (sorted.get(m / 2 - 1) + sorted.get(m / 2)) / 2;
        }
        return new Group(c.steps(), c.weightDecay(), runs, convergence.size(), median, lowZeroEnd(mean[1]), lowZeroEnd(mean[2]),
                new double[] {at(mean[3], e3.windowFrom()), at(mean[3], e3.windowTo())},
                new double[] {at(mean[2], e3.windowFrom()), at(mean[2], e3.windowTo())});
    }

    /** The curve's lowest value before x = 0, its value at 0 and at its last x. */
    private static double[] lowZeroEnd(Curve c) {
        double low = Double.NaN;
        for (int i = 0; i < c.x().length && c.x()[i] < 0; i++) low = Double.isNaN(low) ? c.y()[i] : Math.min(low, c.y()[i]);
        return new double[] {low, at(c, 0), c.x().length == 0 ? Double.NaN : c.y()[c.y().length - 1]};
    }

    private static double at(Curve c, double x) {
        return c.at(x).orElse(Double.NaN);
    }

    /** The mean curves at their first x, at convergence, at the window's ends and at their last x. */
    private static List<List<String>> landmarks(Curve[] mean, Dynamics e3) {
        List<List<String>> rows = new ArrayList<>();
        if (mean[0].x().length == 0) return rows;
        double[] xs = {mean[0].x()[0], 0, e3.windowFrom(), e3.windowTo(), mean[0].x()[mean[0].x().length - 1]};
        for (double x : xs) {
            List<String> row = new ArrayList<>(List.of(num(x)));
            for (Curve c : mean) row.add(String.format(Locale.ROOT, "%.4g", at(c, x)));
            rows.add(row);
        }
        return rows;
    }

    /** The runs' blowup–norm points inside the window, and the mean trajectory (mean blowup and mean norm at each x). */
    private static XYChart trajectory(String title, List<Curve[]> aligned, Curve[] mean, Dynamics e3, int colour) {
        List<Series> each = new ArrayList<>();
        for (Curve[] a : aligned) each.add(inWindow(a[2], a[3], e3));
        return DynamicsCharts.trajectory(title, "LayerNorm blowup", "Weight norm (L2)", each, inWindow(mean[2], mean[3], e3), colour);
    }

    /** Points (blowup, norm) at the x values both curves have with windowFrom < x < windowTo. */
    private static Series inWindow(Curve blowup, Curve norm, Dynamics e3) {
        Map<Double, Double> normAt = new LinkedHashMap<>();
        for (int i = 0; i < norm.x().length; i++) normAt.put(norm.x()[i], norm.y()[i]);
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < blowup.x().length; i++) {
            double x = blowup.x()[i];
            if (x > e3.windowFrom() && x < e3.windowTo() && normAt.containsKey(x)) points.add(new double[] {blowup.y()[i], normAt.get(x)});
        }
        return new Series("trajectory", points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray());
    }

    private static Series series(String name, Curve c) {
        return new Series(name, c.x(), c.y());
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
