package org.biaslab.experiment.p1;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.biaslab.report.Charts;
import org.biaslab.report.Charts.Point;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;
import org.biaslab.report.Regression;
import org.biaslab.report.RunReport;
import org.biaslab.report.SweepReport;
import org.biaslab.train.Trainer;

/**
 * The report of P1's E4: sharpness ×4, encoder and decoder LayerNorm blowup and parameter norm against n for the runs
 * that pass P1's filter (autoregressive accuracy &gt; 0.999), each as runs with mean ± 2 sd (as E1), with the regression
 * of each on n; the runs left out are counted with the reason.
 */
public final class ScratchpadReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A measured quantity: its key in measurements.json, its label, file name and scale. */
    private record Quantity(String key, String label, String file, boolean logY) {}

    private static final List<Quantity> QUANTITIES = List.of(
            new Quantity("measure/sharpness_x4", "Sharpness (×4)", "e4_sharpness", false),
            new Quantity("measure/blowup_encoder_maxs_prod", "Encoder LayerNorm blowup", "e4_blowup_encoder", true),
            new Quantity("measure/blowup_decoder_maxs_prod", "Decoder LayerNorm blowup", "e4_blowup_decoder", true),
            new Quantity("measure/param_norm", "Parameter norm", "e4_param_norm", false));

    /**
     * What E4 found: how many runs passed the filter, and the regression of sharpness ×4 on n (null with fewer than
     * two lengths).
     */
    public record Outcome(int runs, int kept, Regression sharpness) {
        /** A line such as "8 of 8 runs decode with accuracy > 0.999; sharpness ×4 against n: slope …". */
        public String line() {
            String fit = sharpness == null ? "no regression (fewer than two lengths)"
                    : String.format(Locale.ROOT, "slope %.3g per bit (r %.2f, p %.2g, %d runs)", sharpness.slope(), sharpness.r(),
                    sharpness.p(), sharpness.n());
            return String.format(Locale.ROOT, "%d of %d runs decode with autoregressive accuracy > %s; sharpness ×4 against n: %s",
                    kept, runs, Scratchpad.MIN_AUTOREGRESSIVE_ACCURACY, fit);
        }
    }

    private ScratchpadReport() {}

    /** Writes {@code dir/report.html} (charts under {@code dir/plots/}) for the measured {@code runs}, of a grid whose other {@code notStarted} runs have no directory yet. */
    static Outcome write(Path dir, List<Trainer.Run> runs, int notStarted) throws IOException {
        List<String> excluded = new ArrayList<>();
        if (notStarted > 0) excluded.add(SweepReport.notStarted(notStarted, runs.size() + notStarted, "grid"));
        List<List<String>> rows = new ArrayList<>();
        Map<String, List<Point>> values = new LinkedHashMap<>();
        QUANTITIES.forEach(q -> values.put(q.key(), new ArrayList<>()));
        Map<String, List<InteractiveChart.Mark>> marks = new LinkedHashMap<>();
        QUANTITIES.forEach(q -> marks.put(q.key(), new ArrayList<>()));
        List<Path> keptDirs = new ArrayList<>();
        int kept = 0;
        for (Trainer.Run r : runs) {
            String name = r.dir().path().getFileName().toString();
            Map<String, Object> m = measurements(r.dir().path());
            double accuracy = m.get("measure/autoregressive_accuracy") instanceof Number a ? a.doubleValue() : Double.NaN;
            List<String> row = new ArrayList<>(List.of(name, Integer.toString(r.config().n()), Long.toString(r.config().seed()),
                    format(accuracy)));
            QUANTITIES.forEach(q -> row.add(format(m.get(q.key()) instanceof Number v ? v.doubleValue() : Double.NaN)));
            rows.add(row);
            if (!Scratchpad.kept(m)) {
                excluded.add(name + ": autoregressive accuracy " + format(accuracy) + " is not above "
                        + Scratchpad.MIN_AUTOREGRESSIVE_ACCURACY + " (P1's filter)");
                continue;
            }
            kept++;
            keptDirs.add(r.dir().path());
            String tip = String.format(Locale.ROOT, "%s%nn %d, seed %d, lr %s, %d steps%nautoregressive accuracy %s", name, r.config().n(),
                    r.config().seed(), format(r.config().lr()), r.config().steps(), format(accuracy));
            for (Quantity q : QUANTITIES) {
                tip += "\n" + q.label() + " " + format(m.get(q.key()) instanceof Number v ? v.doubleValue() : Double.NaN);
            }
            for (Quantity q : QUANTITIES) {
                if (m.get(q.key()) instanceof Number v) {
                    values.get(q.key()).add(new Point(r.config().n(), v.doubleValue()));
                    marks.get(q.key()).add(new InteractiveChart.Mark(r.config().n(), v.doubleValue(), tip, name + "/report.html"));
                }
            }
        }
        Path plots = dir.resolve("plots");
        HtmlReport html = new HtmlReport("Hahn & Rofin E4: the scratchpad removes the length effect");
        html.paragraph(String.format(Locale.ROOT, "%d runs of P1's encoder-decoder trained on PARITY's prefix parities "
                + "(teacher-forced) at lengths %s; %d decode greedily with accuracy > %s and enter the figures. P1's expectation: "
                + "sharpness and blowup do not grow with n, because each output bit y_t = y_(t−1) XOR x_t depends on two inputs.",
                runs.size(), lengths(runs), kept, Scratchpad.MIN_AUTOREGRESSIVE_ACCURACY));
        Regression sharpness = null;
        for (Quantity q : QUANTITIES) {
            List<Point> pts = values.get(q.key());
            html.section(q.label() + " against input length");
            if (pts.isEmpty()) {
                html.paragraph("No run passed the filter.");
                continue;
            }
            Map<String, List<Point>> groups = Map.of("scratchpad", pts);
            html.figure(Figure.of(Charts.meanAndSpread(q.label() + " vs length", "Sequence length n", q.label(), groups, q.logY()))
                    .save(plots, q.file()), q.label() + " (" + q.key() + ") against n: each kept run as a dot, the mean per n as a "
                    + "line, dashed lines at mean ± 2 sd where at least " + Charts.MIN_RUNS_FOR_SPREAD + " runs share n (cut at 0 for a quantity that cannot be negative)" + (q.logY() ? "; " + Charts.LOG_AXIS + "." : "."), "plots/" + q.file() + ".svg");
            if (pts.stream().map(Point::x).distinct().count() < 2) {
                html.paragraph("One length only: no regression.");
                continue;
            }
            Regression reg = Regression.fit(pts.stream().mapToDouble(Point::x).toArray(), pts.stream().mapToDouble(Point::y).toArray());
            if (q == QUANTITIES.get(0)) sharpness = reg;
            html.table(List.of("slope", "intercept", "r", "p", "runs"), List.of(List.of(format(reg.slope()), format(reg.intercept()),
                    format(reg.r()), String.format(Locale.ROOT, "%.2g", reg.p()), Integer.toString(reg.n()))));
        }
        if (kept > 0) {
            html.section("All quantities against input length (interactive)");
            RunReport.writeMissing(keptDirs);
            html.interactive(new InteractiveChart("E4's kept runs against n (interactive: hover, zoom, click a run)", "Sequence length n", false,
                    QUANTITIES.stream().map(q -> new InteractiveChart.Panel(q.label(), q.logY(), List.of(new InteractiveChart.Group("scratchpad",
                            marks.get(q.key()), InteractiveChart.Draw.POINTS)))).toList()));
        }
        html.section("Runs");
        List<String> header = new ArrayList<>(List.of("run", "n", "seed", "autoregressive accuracy"));
        QUANTITIES.forEach(q -> header.add(q.label()));
        html.table(header, rows);
        html.section("Configuration");
        html.paragraph("The first run's config (n and seed differ between runs):");
        html.preformatted(runs.isEmpty() ? "{}" : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                JSON.readTree(runs.get(0).config().toJson())));
        html.exclusions(excluded);
        html.write(dir.resolve("report.html"));
        return new Outcome(runs.size(), kept, sharpness);
    }

    private static Map<String, Object> measurements(Path run) throws IOException {
        Path file = run.resolve("measurements.json");
        if (!Files.exists(file)) return Map.of();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.readValue(file.toFile(), LinkedHashMap.class);
        return m;
    }

    private static String lengths(List<Trainer.Run> runs) {
        TreeMap<Integer, Integer> ns = new TreeMap<>();
        runs.forEach(r -> ns.merge(r.config().n(), 1, Integer::sum));
        return ns.size() <= 8 ? String.join(", ", ns.keySet().stream().map(String::valueOf).toList())
                : ns.firstKey() + " … " + ns.lastKey() + " (" + ns.size() + " values)";
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
