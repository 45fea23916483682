package org.biaslab.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.biaslab.report.Charts.Series;
import org.knowm.xchart.XYChart;

/**
 * The report of one run directory: training curves from {@code metrics.jsonl} (losses on a log axis, eval accuracy,
 * parameter norm, steps/s), the dynamics of any further metric logged during training (e.g. {@code dynamic/sharpness};
 * P1's E3 panels), the summary, the measurements and the config. Writes {@code RUN_DIR/report.html} and the charts under {@code RUN_DIR/plots/}.
 */
public final class RunReport {
    private static final Set<String> CURVES = Set.of("step", "train/loss", "eval/loss", "eval/accuracy", "param_norm", "lr", "steps_per_s");

    private RunReport() {}

    /** The report.html of each run directory that has none yet (interactive charts link to them), in parallel. */
    public static void writeMissing(List<Path> runDirs) throws IOException {
        try {
            runDirs.parallelStream().filter(dir -> !Files.exists(dir.resolve("report.html"))).forEach(dir -> {
                try {
                    write(dir);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Writes the report of {@code runDir} and returns the path of its report.html. */
    public static Path write(Path runDir) throws IOException {
        RunFiles run = RunFiles.read(runDir);
        List<String> excluded = new ArrayList<>();
        List<Map<String, Object>> metrics = metrics(runDir.resolve("metrics.jsonl"), excluded);
        Path plots = runDir.resolve("plots");
        HtmlReport html = new HtmlReport("Run " + run.name() + ": " + run.task() + ", n = " + run.config().n()
                + ", seed " + run.config().seed());

        html.section("Training curves");
        if (metrics.isEmpty()) {
            html.paragraph("metrics.jsonl holds no metrics yet.");
        } else {
            Figure training = Figure.grid(2, List.of(
                    Charts.lines("Loss", "step", "MSE", List.of(series(metrics, "train/loss", excluded, true),
                            series(metrics, "eval/loss", excluded, true)), true),
                    Charts.lines("Eval accuracy", "step", "accuracy", List.of(series(metrics, "eval/accuracy", excluded, false)), false),
                    Charts.lines("Parameter norm", "step", "‖θ‖₂", List.of(series(metrics, "param_norm", excluded, false)), false),
                    Charts.lines("Speed", "step", "steps/s", List.of(series(metrics, "steps_per_s", excluded, false)), false)));
            html.figure(training.save(plots, "training"), "Training (left to right, top to bottom): train and eval loss "
                    + "(" + Charts.LOG_AXIS + "), eval accuracy, parameter norm without positional embeddings, training speed.", "plots/training.svg");
            List<String> measured = measureKeys(metrics);
            if (!measured.isEmpty()) {
                List<XYChart> panels = new ArrayList<>();
                panels.add(Charts.lines("Loss", "step", "MSE", List.of(series(metrics, "train/loss", excluded, true)), true));
                for (String key : measured) {
                    boolean log = key.contains("blowup") || key.endsWith("loss");
                    panels.add(Charts.lines(key, "step", key, List.of(series(metrics, key, excluded, log)), log));
                }
                panels.add(Charts.lines("Weight norm (L2)", "step", "‖θ‖₂", List.of(series(metrics, "param_norm", excluded, false)), false));
                html.figure(Figure.grid(1, panels).save(plots, "dynamics"), "Dynamics during training, stacked as in P1's "
                        + "E3: loss, " + String.join(", ", measured) + " (blowup and losses on log axes), weight norm.", "plots/dynamics.svg");
            }
        }

        html.section("Summary");
        if (run.finished()) html.table(List.of("key", "value"), rows(run.summary()));
        else html.paragraph("The run has not finished: there is no summary.json.");

        html.section("Measurements");
        if (run.measurements().isEmpty()) html.paragraph("No measurements.json: the run has not been measured.");
        else html.table(List.of("key", "value"), rows(run.measurements()));

        html.section("Configuration");
        html.preformatted(run.configTree().toPrettyString());
        html.exclusions(excluded);
        Path file = runDir.resolve("report.html");
        html.write(file);
        return file;
    }

    /** The metrics lines in order; a line that is not JSON (cut off by a crash) is skipped and noted. */
    private static List<Map<String, Object>> metrics(Path file, List<String> excluded) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                JsonNode node = RunFiles.JSON.readTree(lines.get(i));
                @SuppressWarnings("unchecked")
                Map<String, Object> m = RunFiles.JSON.convertValue(node, LinkedHashMap.class);
                out.add(m);
            } catch (IOException | IllegalArgumentException e) {
                excluded.add("metrics.jsonl line " + (i + 1) + " is not a JSON object (a line cut off by a crash?)");
            }
        }
        return out;
    }

    /** The metric {@code key} over steps, from the lines that have it; values a log axis cannot show are noted. */
    private static Series series(List<Map<String, Object>> metrics, String key, List<String> excluded, boolean log) {
        List<double[]> points = new ArrayList<>();
        int dropped = 0;
        for (Map<String, Object> m : metrics) {
            if (!(m.get(key) instanceof Number v) || !(m.get("step") instanceof Number step)) continue;
            double y = v.doubleValue();
            if (!Double.isFinite(y) || (log && y <= 0)) dropped++;
            else points.add(new double[] {step.doubleValue(), y});
        }
        if (dropped > 0) excluded.add(dropped + " values of " + key + " are not drawn: not finite" + (log ? " or ≤ 0 on a log axis" : ""));
        return new Series(key, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray());
    }

    /** The numeric metrics beyond the standard training curves (e.g. dynamic/sharpness logged during training). */
    private static List<String> measureKeys(List<Map<String, Object>> metrics) {
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, Object> m : metrics) {
            m.forEach((k, v) -> {
                if (!CURVES.contains(k) && v instanceof Number) keys.add(k);
            });
        }
        return List.copyOf(keys);
    }

    private static List<List<String>> rows(Map<String, Object> map) {
        return map.entrySet().stream().map(e -> List.of(e.getKey(), Numbers.format(e.getValue()))).toList();
    }
}
