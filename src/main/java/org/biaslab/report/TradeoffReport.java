package org.biaslab.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.biaslab.report.Charts.Point;
import org.biaslab.train.RunConfig;
import org.hipparchus.stat.descriptive.rank.Median;
import org.biaslab.train.RunConfig;
import org.knowm.xchart.XYChart;

/**
 * The report of P1's E2 (docs/papers.md §P1.9.2): parameter norm against LayerNorm blowup (log axis) for the converged
 * runs of a random search — one panel per length coloured by function (P1's Figure 2), and per function one panel
 * coloured by length (Figures 9–10) — with the regression of the norm on log10 blowup per function and the median
 * blowup per function and length. Runs with eval loss ≥ 0.001 are left out and counted.
 */
public final class TradeoffReport {
    private static final String BLOWUP = "measure/blowup_encoder_maxs_prod", NORM = "measure/param_norm";
    private static final String X_LABEL = "LayerNorm blowup", Y_LABEL = "Parameter norm (L2)";
    /** P1's functions in P1's order, so that each keeps its colour in every panel. */
    private static final List<String> ORDER = List.of("parity", "majority", "first", "mean");

    private TradeoffReport() {}

    /**
     * What the report found: runs drawn and converged, and the median blowup of each function's converged runs at
     * each panel length (function → median; functions without converged runs there are absent).
     *
     * @param report the report.html written
     */
    public record Summary(Path report, int runs, int converged, SortedMap<Integer, Map<String, Double>> medianBlowup) {
        /** One line for the console. */
        public String line() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "E2: %d of %d runs converged (%d excluded)", converged, runs,
                    runs - converged));
            if (medianBlowup.isEmpty()) return s.toString();
            s.append("; median LayerNorm blowup");
            medianBlowup.forEach((n, byF) -> {
                s.append(" at n = ").append(n).append(':');
                byF.forEach((f, b) -> s.append(String.format(Locale.ROOT, " %s %.3g,", f, b)));
                s.setCharAt(s.length() - 1, ';');
            });
            s.setLength(s.length() - 1);
            return s.toString();
        }
    }

    /** One converged run's point. */
    private record Run(RunFiles files, String function, int n, double blowup, double norm) {}

    /**
     * Writes {@code parent/report.html} (charts under {@code parent/plots/}) for the runs in {@code runDirs}, of a search
     * whose other {@code notStarted} runs have no directory yet (slices still to run).
     */
    public static Summary write(Path parent, List<Path> runDirs, int notStarted, List<Integer> panelLengths, String title) throws IOException {
        List<Run> runs = new ArrayList<>();
        List<String> unfinished = new ArrayList<>(), unmeasured = new ArrayList<>();
        List<RunConfig> evaluated = new ArrayList<>();
        Map<String, Integer> drawn = new TreeMap<>(TradeoffReport::byOrder), failed = new TreeMap<>(TradeoffReport::byOrder);
        for (Path dir : runDirs) {
            RunFiles r = RunFiles.read(dir);
            drawn.merge(r.task(), 1, Integer::sum);
            if (r.finished()) evaluated.add(r.config());
            if (!r.finished()) {
                unfinished.add(r.name());
            } else if (!(r.summary().get("eval/loss") instanceof Number loss && loss.doubleValue() < SweepReport.CONVERGED_EVAL_LOSS)) {
                failed.merge(r.task(), 1, Integer::sum);
            } else if (r.value(BLOWUP, null).isEmpty() || r.value(NORM, null).isEmpty()) {
                unmeasured.add(r.name());
            } else {
                runs.add(new Run(r, r.task(), r.config().n(), r.value(BLOWUP, null).getAsDouble(), r.value(NORM, null).getAsDouble()));
            }
        }
        Path plots = parent.resolve("plots");
        HtmlReport html = new HtmlReport(title);
        html.section("Runs");
        html.paragraph(String.format(Locale.ROOT, "%d runs drawn by the random search; %d converged and enter the figures. %s",
                runDirs.size(), runs.size(), SweepReport.filter(evaluated)));
        Map<String, List<Run>> byFunction = new TreeMap<>(TradeoffReport::byOrder);
        for (Run r : runs) byFunction.computeIfAbsent(r.function(), k -> new ArrayList<>()).add(r);
        List<List<String>> rows = new ArrayList<>();
        for (String f : drawn.keySet()) {
            List<Run> rs = byFunction.getOrDefault(f, List.of());
            double median = median(rs.stream().mapToDouble(Run::blowup).toArray());
            List<String> row = new ArrayList<>(List.of(f, Integer.toString(drawn.get(f)), Integer.toString(rs.size()),
                    Numbers.format(median), Numbers.format(median(rs.stream().mapToDouble(Run::norm).toArray()))));
            if (rs.stream().map(Run::blowup).distinct().count() >= 2) {
                Regression reg = Regression.fit(rs.stream().mapToDouble(r -> Math.log10(r.blowup())).toArray(),
                        rs.stream().mapToDouble(Run::norm).toArray());
                row.addAll(List.of(Numbers.format(reg.slope()), Numbers.format(reg.r()), Numbers.p(reg.p())));
            } else {
                row.addAll(List.of("—", "—", "—"));
            }
            rows.add(row);
        }
        html.table(List.of("function", "runs", "converged", "median blowup", "median norm", "slope of norm on log10 blowup", "r", "p"), rows);

        panels(html, runs, panelLengths, plots);
        html.interactive(interactive(byFunction));
        RunReport.writeMissing(runs.stream().map(r -> r.files().dir()).toList());
        byLength(html, byFunction, plots);
        medianTable(html, runs);

        html.section("Converged runs");
        html.table(List.of("run", "function", "n", "seed", "lr", "weight decay", "eval/loss", "blowup", "norm"), runs.stream()
                .map(r -> List.of(r.files().name(), r.function(), Integer.toString(r.n()), Long.toString(r.files().config().seed()),
                        Numbers.format(r.files().config().lr()), Numbers.format(r.files().config().weightDecay()),
                        Numbers.format(r.files().summary().get("eval/loss")), Numbers.format(r.blowup()), Numbers.format(r.norm())))
                .toList());

        List<String> excluded = new ArrayList<>();
        failed.forEach((f, count) -> excluded.add(String.format(Locale.ROOT, "%s: %d of %d runs did not converge (eval loss ≥ %s)", f,
                count, drawn.get(f), SweepReport.CONVERGED_EVAL_LOSS)));
        if (notStarted > 0) excluded.add(SweepReport.notStarted(notStarted, runDirs.size() + notStarted, "search"));
        if (!unfinished.isEmpty()) excluded.add(unfinished.size() + " runs have not finished: " + String.join(", ", unfinished));
        if (!unmeasured.isEmpty()) excluded.add(unmeasured.size() + " runs have no blowup or norm measurement: " + String.join(", ", unmeasured));
        html.exclusions(excluded);
        Path file = parent.resolve("report.html");
        html.write(file);
        return new Summary(file, runDirs.size(), runs.size(), medians(runs, panelLengths));
    }

    /** P1's Figure 2: one panel per length, colour = function, shared axes. */
    private static void panels(HtmlReport html, List<Run> runs, List<Integer> lengths, Path plots) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        List<Run> shown = runs.stream().filter(r -> lengths.contains(r.n())).toList();
        if (shown.isEmpty()) return;
        for (int n : lengths) {
            Map<String, List<Point>> groups = new TreeMap<>(TradeoffReport::byOrder);
            for (Run r : shown) groups.computeIfAbsent(r.function(), k -> new ArrayList<>());
            for (Run r : shown) if (r.n() == n) groups.get(r.function()).add(new Point(r.blowup(), r.norm()));
            charts.add(Charts.scatter("n = " + n, X_LABEL, Y_LABEL, groups, true, false));
        }
        shareAxes(charts, shown);
        html.section("Parameter norm against LayerNorm blowup, by length");
        html.figure(Figure.grid(2, charts).save(plots, "e2_tradeoff"), "P1's Figure 2: each converged run as a diamond, colour = "
                + "function, LayerNorm blowup on a " + Charts.LOG_AXIS + "; the panels share their axes.", "plots/e2_tradeoff.svg");
    }

    /** Every converged run, all lengths together: hover shows its name, config and values, a click opens its report. */
    private static InteractiveChart interactive(Map<String, List<Run>> byFunction) {
        List<InteractiveChart.Group> groups = new ArrayList<>();
        byFunction.forEach((f, rs) -> groups.add(new InteractiveChart.Group(f, rs.stream().map(r -> {
            RunConfig c = r.files().config();
            String tip = String.format(Locale.ROOT, "%s%n%s, n %d, seed %d%nlr %s, weight decay %s%neval loss %s%nblowup %s, norm %s",
                    r.files().name(), r.function(), r.n(), c.seed(), Numbers.format(c.lr()), Numbers.format(c.weightDecay()),
                    Numbers.format(r.files().summary().get("eval/loss")), Numbers.format(r.blowup()), Numbers.format(r.norm()));
            return new InteractiveChart.Mark(r.blowup(), r.norm(), tip, r.files().name() + "/report.html");
        }).toList(), InteractiveChart.Draw.POINTS)));
        return new InteractiveChart("Parameter norm against LayerNorm blowup, all lengths (interactive: hover, toggle, zoom, click a run)",
                X_LABEL, Y_LABEL, true, false, groups);
    }

    /** P1's Figures 9–10: one panel per function, colour = length (plasma), shared axes. */
    private static void byLength(HtmlReport html, Map<String, List<Run>> byFunction, Path plots) throws IOException {
        if (byFunction.isEmpty()) return;
        List<XYChart> charts = new ArrayList<>();
        List<Run> all = new ArrayList<>();
        byFunction.forEach((f, rs) -> {
            TreeMap<Integer, List<Point>> byN = new TreeMap<>();
            for (Run r : rs) byN.computeIfAbsent(r.n(), k -> new ArrayList<>()).add(new Point(r.blowup(), r.norm()));
            charts.add(Charts.scatterByValue(f, X_LABEL, Y_LABEL, "n", byN, true, false));
            all.addAll(rs);
        });
        shareAxes(charts, all);
        html.section("Parameter norm against LayerNorm blowup, by function");
        html.figure(Figure.grid(2, charts).save(plots, "e2_by_length"), "P1's Figures 9–10: one panel per function, each converged "
                + "run coloured by its length n on the plasma scale (dark: short, yellow: long; the legend names some lengths); "
                + "shared axes, LayerNorm blowup on a " + Charts.LOG_AXIS + ".", "plots/e2_by_length.svg");
    }

    /** The median blowup of each function's runs at each of {@code lengths}. */
    private static SortedMap<Integer, Map<String, Double>> medians(List<Run> runs, List<Integer> lengths) {
        SortedMap<Integer, Map<String, Double>> out = new TreeMap<>();
        for (int n : lengths) {
            Map<String, List<Double>> byF = new TreeMap<>(TradeoffReport::byOrder);
            for (Run r : runs) if (r.n() == n) byF.computeIfAbsent(r.function(), k -> new ArrayList<>()).add(r.blowup());
            Map<String, Double> m = new LinkedHashMap<>();
            byF.forEach((f, b) -> m.put(f, median(b.stream().mapToDouble(Double::doubleValue).toArray())));
            if (!m.isEmpty()) out.put(n, m);
        }
        return out;
    }

    /** Median blowup per function and length: P1 expects PARITY's to lie above the others' and to grow with n. */
    private static void medianTable(HtmlReport html, List<Run> runs) {
        TreeMap<Integer, Map<String, List<Double>>> cells = new TreeMap<>();
        for (Run r : runs) {
            cells.computeIfAbsent(r.n(), k -> new TreeMap<>(TradeoffReport::byOrder)).computeIfAbsent(r.function(), k -> new ArrayList<>())
                    .add(r.blowup());
        }
        List<String> functions = runs.stream().map(Run::function).distinct().sorted(TradeoffReport::byOrder).toList();
        List<String> header = new ArrayList<>(List.of("n"));
        functions.forEach(f -> header.add(f + " (runs)"));
        List<List<String>> rows = new ArrayList<>();
        cells.forEach((n, byF) -> {
            List<String> row = new ArrayList<>(List.of(Integer.toString(n)));
            for (String f : functions) {
                List<Double> b = byF.getOrDefault(f, List.of());
                row.add(b.isEmpty() ? "—" : Numbers.format(median(b.stream().mapToDouble(Double::doubleValue).toArray())) + " (" + b.size() + ")");
            }
            rows.add(row);
        });
        html.section("Median LayerNorm blowup by length");
        html.table(header, rows);
    }

    /** Gives every chart the x (log, ends at labelled ticks) and y range of all the runs, with a margin on y. */
    private static void shareAxes(List<XYChart> charts, List<Run> runs) {
        double xMin = runs.stream().mapToDouble(Run::blowup).filter(b -> b > 0).min().orElse(1);
        double xMax = runs.stream().mapToDouble(Run::blowup).max().orElse(1);
        double yMin = runs.stream().mapToDouble(Run::norm).min().orElse(0), yMax = runs.stream().mapToDouble(Run::norm).max().orElse(1);
        double pad = Math.max(1e-9, 0.05 * (yMax - yMin));
        for (XYChart c : charts) {
            Style.logAxis(c, true, xMin, xMax);
            c.getStyler().setYAxisMin(yMin - pad);
            c.getStyler().setYAxisMax(yMax + pad);
        }
    }

    private static double median(double[] v) {
        return v.length == 0 ? Double.NaN : new Median().evaluate(v);
    }

    /** P1's functions first, in P1's order; any other after them by name. */
    private static int byOrder(String a, String b) {
        int i = ORDER.indexOf(a), j = ORDER.indexOf(b);
        if (i < 0 && j < 0) return a.compareTo(b);
        if (i < 0 || j < 0) return i < 0 ? 1 : -1;
        return Integer.compare(i, j);
    }
}
