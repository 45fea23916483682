package org.biaslab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.biaslab.io.Json;
import org.biaslab.train.RunConfig;

/**
 * The small files of one run directory (docs/training.md): its config, {@code summary.json} once it has finished and
 * {@code measurements.json} once it has been measured (each map is empty when its file is absent).
 */
record RunFiles(Path dir, RunConfig config, JsonNode configTree, Map<String, Object> summary,
                Map<String, Object> measurements) {
    static final ObjectMapper JSON = new ObjectMapper();

    static RunFiles read(Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        return new RunFiles(dir, RunConfig.load(config), Json.readObject(config), object(dir.resolve("summary.json")),
                object(dir.resolve("measurements.json")));
    }

    String name() {
        return dir.getFileName().toString();
    }

    /** The function a run learns, as the reports group runs: its task, or "scratchpad". */
    String task() {
        return config.scratchpad() ? "scratchpad" : config.task();
    }

    boolean finished() {
        return !summary.isEmpty();
    }

    /** A numeric field of the measurements, or else of the summary. */
    OptionalDouble value(String measurementKey, String summaryKey) {
        if (measurements.get(measurementKey) instanceof Number v) return OptionalDouble.of(v.doubleValue());
        if (summaryKey != null && summary.get(summaryKey) instanceof Number v) return OptionalDouble.of(v.doubleValue());
        return OptionalDouble.empty();
    }

    private static Map<String, Object> object(Path file) throws IOException {
        if (!Files.exists(file)) return Map.of();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = Json.MAPPER.convertValue(Json.readObject(file), LinkedHashMap.class);
        return m;
    }
}
