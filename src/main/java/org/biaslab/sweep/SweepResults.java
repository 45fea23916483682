package org.biaslab.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.biaslab.io.Json;
import org.biaslab.train.RunDir;

/**
 * A sweep's results in one table, one row per done run in the plan's order: {@code results.csv} (columns: key, the
 * config's fields, the final metrics, the measurements prefixed {@code measure/}) and {@code results.jsonl} (each
 * run's done.json on one line). Numbers are written as Java prints them, which reads back to the same double.
 */
public final class SweepResults {
    private SweepResults() {}

    /** What was written: the files and how many runs they hold out of the sweep's. */
    public record Written(Path csv, Path jsonl, int rows, int runs) {}

    public static Written write(SweepPlan plan) throws IOException {
        List<ObjectNode> rows = new ArrayList<>();
        for (String key : plan.runs().keySet()) {
            Path done = plan.runDir(key).resolve(SweepStatus.DONE);
            if (Files.exists(done)) rows.add(Json.readObject(done));
        }
        Set<String> metrics = new LinkedHashSet<>(), measures = new LinkedHashSet<>();
        for (ObjectNode r : rows) {
            r.path("metrics").fieldNames().forEachRemaining(metrics::add);
            r.path("measurements").fieldNames().forEachRemaining(measures::add);
        }
        List<String> header = new ArrayList<>(List.of("key"));
        header.addAll(SweepSpec.FIELDS);
        header.addAll(metrics);
        measures.forEach(m -> header.add("measure/" + m));
        StringBuilder csv = new StringBuilder(line(header));
        StringBuilder jsonl = new StringBuilder();
        for (ObjectNode r : rows) {
            List<String> cells = new ArrayList<>(List.of(r.path("key").asText()));
            for (String f : SweepSpec.FIELDS) cells.add(cell(r.path("config").path(f)));
            for (String m : metrics) cells.add(cell(r.path("metrics").path(m)));
            for (String m : measures) cells.add(cell(r.path("measurements").path(m)));
            csv.append(line(cells));
            jsonl.append(r).append('\n');
        }
        Path csvFile = plan.dir().resolve("results.csv"), jsonlFile = plan.dir().resolve("results.jsonl");
        RunDir.write(csvFile, csv.toString());
        RunDir.write(jsonlFile, jsonl.toString());
        return new Written(csvFile, jsonlFile, rows.size(), plan.runs().size());
    }

    /** A value as text: a number as Java prints its double or long, a missing one empty. */
    private static String cell(JsonNode v) {
        if (v.isMissingNode() || v.isNull()) return "";
        if (v.isFloatingPointNumber()) return Double.toString(v.doubleValue());
        return v.asText();
    }

    /** One CSV line (RFC 4180): a field with a comma, quote or line break is quoted, its quotes doubled. */
    private static String line(List<String> cells) {
        return cells.stream().map(c -> c.matches("[^,\"\r\n]*") ? c : "\"" + c.replace("\"", "\"\"") + "\"")
                .collect(Collectors.joining(",")) + "\n";
    }
}
