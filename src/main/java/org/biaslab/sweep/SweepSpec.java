package org.biaslab.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import org.biaslab.io.FormatException;
import org.biaslab.io.Json;
import org.biaslab.tensor.Rng;
import org.biaslab.train.RunConfig;

/**
 * A sweep in the W&B sweep format: {@code name}, {@code method} (grid or random), {@code parameters} named by the run
 * config's fields (as in a run's config.json), {@code count} and {@code seed} for random, and biaslab's optional
 * {@code measure} (end-of-training measurements). Every run starts from {@link RunConfig#defaults()}; as in
 * {@code train}, restrictedSeed follows seed and maxLen grows to n unless the sweep sets them.
 *
 * @param source the file's tree, which identifies the sweep in its directory's sweep.json
 */
public record SweepSpec(String name, String method, int count, long seed, SequencedMap<String, Parameter> parameters,
                        MeasureSpec measure, ObjectNode source) {
    private static final Set<String> KEYS = Set.of("name", "description", "method", "count", "seed", "parameters", "measure");
    /** The run config's fields, in its order: the parameter names a sweep may use. */
    public static final List<String> FIELDS = Arrays.stream(RunConfig.class.getRecordComponents()).map(RecordComponent::getName).toList();
    private static final Set<String> INTEGRAL = Set.copyOf(Arrays.stream(RunConfig.class.getRecordComponents())
            .filter(c -> c.getType() == int.class || c.getType() == long.class).map(RecordComponent::getName).toList());

    /** Reads a sweep file, YAML or JSON (strictly, {@link Json}); every problem is one line naming the file and the field. */
    public static SweepSpec read(Path file) throws IOException {
        ObjectNode tree = file.toString().endsWith(".json") ? Json.readObject(file) : Json.readYamlObject(file);
        try {
            return of(tree);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage());
        }
    }

    /** The sweep of a parsed tree; a problem is an IllegalArgumentException naming the field. */
    public static SweepSpec of(ObjectNode tree) {
        for (String key : (Iterable<String>) tree::fieldNames) {
            if (!KEYS.contains(key)) throw new IllegalArgumentException("unknown key '" + key + "' (valid: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
        }
        String name = tree.path("name").asText("");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) throw new IllegalArgumentException("name must be given, of letters, digits, '.', '_' and '-', got '" + name + "'");
        String method = tree.path("method").asText("");
        if (!method.equals("grid") && !method.equals("random")) {
            throw new IllegalArgumentException("method must be grid or random, got '" + method + "'" + (method.equals("bayes") ? " (bayes is not supported)" : ""));
        }
        JsonNode count = tree.get("count"), seed = tree.get("seed");
        if (method.equals("random") && (count == null || !count.canConvertToInt() || !count.isIntegralNumber() || count.asInt() < 1)) {
            throw new IllegalArgumentException("count: method random needs a positive integer count, got " + count);
        }
        if (method.equals("grid") && count != null) throw new IllegalArgumentException("count applies to method random only");
        if (seed != null && !seed.isIntegralNumber()) throw new IllegalArgumentException("seed must be an integer, got " + seed);
        if (!(tree.get("parameters") instanceof ObjectNode params) || params.isEmpty()) throw new IllegalArgumentException("parameters: expected a non-empty object");
        SequencedMap<String, Parameter> parameters = new LinkedHashMap<>();
        for (var e : params.properties()) {
            if (!FIELDS.contains(e.getKey())) {
                throw new IllegalArgumentException("parameters." + e.getKey() + ": not a run config field (valid: " + String.join(", ", FIELDS) + ")");
            }
            Parameter p = Parameter.parse(e.getKey(), e.getValue());
            if (method.equals("grid")) p.grid();
            parameters.put(e.getKey(), p);
        }
        MeasureSpec measure = tree.has("measure") ? MeasureSpec.parse(tree.get("measure")) : null;
        SweepSpec spec = new SweepSpec(name, method, count == null ? 0 : count.asInt(), seed == null ? 0 : seed.asLong(), parameters, measure, tree.deepCopy());
        spec.runs(); // every run's config is checked here, before anything is written
        return spec;
    }

    /** The resolved config of every run: the grid's product (the first parameter outermost), or the random draws in order. */
    public List<RunConfig> runs() {
        List<RunConfig> out = new ArrayList<>();
        if (method.equals("grid")) {
            product(new ArrayList<>(parameters.values()), 0, new LinkedHashMap<>(), out);
        } else {
            for (int i = 0; i < count; i++) {
                Rng rng = new Rng(seed * 1_000_003L + i); // one stream per run: a larger count keeps the earlier runs
                Map<String, JsonNode> chosen = new LinkedHashMap<>();
                for (Parameter p : parameters.values()) chosen.put(p.name(), p.draw(rng));
                out.add(resolve(chosen));
            }
        }
        return out;
    }

    private void product(List<Parameter> ps, int k, Map<String, JsonNode> chosen, List<RunConfig> out) {
        if (k == ps.size()) {
            out.add(resolve(chosen));
            return;
        }
        for (JsonNode v : ps.get(k).grid()) {
            chosen.put(ps.get(k).name(), v);
            product(ps, k + 1, chosen, out);
        }
        chosen.remove(ps.get(k).name());
    }

    /** The defaults with the chosen values, restrictedSeed following seed and maxLen at least n unless chosen. */
    private static RunConfig resolve(Map<String, JsonNode> chosen) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (var e : chosen.entrySet()) fields.put(e.getKey(), typed(e.getKey(), e.getValue()));
        if (fields.containsKey("seed") && !fields.containsKey("restrictedSeed")) fields.put("restrictedSeed", fields.get("seed"));
        if (!fields.containsKey("maxLen") && fields.get("n") instanceof JsonNode n && n.asInt() > RunConfig.defaults().maxLen()) fields.put("maxLen", n);
        try {
            return RunConfig.defaults().with(fields);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameters give a run " + chosen + " that is not valid: " + e.getMessage());
        }
    }

    /** {@code v} for field {@code name}: a whole number for an integer field (4.0 becomes 4), never a truncated fraction. */
    private static JsonNode typed(String name, JsonNode v) {
        if (!INTEGRAL.contains(name) || !v.isNumber() || v.isIntegralNumber()) return v;
        double x = v.asDouble();
        if (x != Math.rint(x)) throw new IllegalArgumentException("parameters." + name + ": " + v + " is not an integer");
        return LongNode.valueOf((long) x);
    }
}
