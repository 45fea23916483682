package org.biaslab.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import org.biaslab.io.FormatException;
import org.biaslab.io.Json;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.Trainer;

/**
 * A sweep laid out in its directory: {@code sweep.json} holds the spec, the ensemble size, every run (key and
 * resolved config) and the groups of runs that train together as one ensemble (compatible runs, at most
 * {@code ensemble} each, in the order of their first run). Run {@code k} lives in {@code runs/<k>/}, a
 * {@link RunDir}. The plan is fixed when the sweep first starts: the same directory with another spec is refused.
 */
public record SweepPlan(Path dir, SweepSpec spec, int ensemble, SequencedMap<String, RunConfig> runs, List<List<String>> groups) {
    public static final String FILE = "sweep.json";

    /** Plans {@code spec} in {@code dir}, or checks that the plan already there is of the same spec and ensemble size. */
    public static SweepPlan create(Path dir, SweepSpec spec, int ensemble) throws IOException {
        if (ensemble < 1) throw new IllegalArgumentException("ensemble size must be at least 1, got " + ensemble);
        if (Files.exists(dir.resolve(FILE))) {
            SweepPlan existing = load(dir);
            if (!existing.spec.source().equals(spec.source()) || existing.ensemble != ensemble) {
                throw new IllegalArgumentException(dir + " holds sweep '" + existing.spec.name() + "' planned from another spec or ensemble size ("
                        + existing.ensemble + "); choose another --dir");
            }
            return existing;
        }
        SequencedMap<String, RunConfig> runs = new LinkedHashMap<>();
        for (RunConfig c : spec.runs()) {
            Trainer.task(c); // an unknown task fails here, before anything is written
            runs.putIfAbsent(RunKey.of(c), c); // a random search may draw a run twice: it trains once
        }
        SweepPlan plan = new SweepPlan(dir, spec, ensemble, runs, group(runs, ensemble));
        Files.createDirectories(dir);
        RunDir.write(dir.resolve(FILE), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(plan.toTree()) + "\n");
        return plan;
    }

    /** The plan in {@code dir}'s sweep.json; problems name the file. */
    public static SweepPlan load(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(dir + " is not a sweep directory (no " + FILE + ")");
        ObjectNode tree = Json.readObject(file);
        try {
            SequencedMap<String, RunConfig> runs = new LinkedHashMap<>();
            for (JsonNode r : tree.withArray("runs")) runs.put(r.get("key").asText(), RunConfig.fromJson(r.get("config").toString()));
            List<List<String>> groups = new ArrayList<>();
            for (JsonNode g : tree.withArray("groups")) {
                List<String> keys = new ArrayList<>();
                g.forEach(k -> keys.add(k.asText()));
                groups.add(List.copyOf(keys));
            }
            return new SweepPlan(dir, SweepSpec.of((ObjectNode) tree.get("spec")), tree.get("ensemble").asInt(), runs, List.copyOf(groups));
        } catch (RuntimeException e) {
            throw new FormatException(file, "not a sweep plan: " + e.getMessage());
        }
    }

    private ObjectNode toTree() {
        ObjectNode tree = Json.MAPPER.createObjectNode();
        tree.set("spec", spec.source());
        tree.put("ensemble", ensemble);
        ArrayNode rs = tree.putArray("runs");
        runs.forEach((k, c) -> rs.addObject().put("key", k).set("config", Json.MAPPER.valueToTree(c)));
        ArrayNode gs = tree.putArray("groups");
        for (List<String> g : groups) g.forEach(gs.addArray()::add);
        return tree;
    }

    /** Compatible runs ({@link RunConfig#ensembleCompatible}) in groups of at most {@code max}, in order of their first run. */
    private static List<List<String>> group(SequencedMap<String, RunConfig> runs, int max) {
        List<List<String>> groups = new ArrayList<>();
        for (var e : runs.entrySet()) {
            List<String> home = null;
            for (List<String> g : groups) {
                if (g.size() < max && runs.get(g.getFirst()).ensembleCompatible(e.getValue())) {
                    home = g;
                    break;
                }
            }
            if (home == null) groups.add(home = new ArrayList<>());
            home.add(e.getKey());
        }
        return groups.stream().map(List::copyOf).toList();
    }

    /** The directory of run {@code key}. */
    public Path runDir(String key) {
        return dir.resolve("runs").resolve(key);
    }
}
