package org.biaslab.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.biaslab.tensor.Rng;

/**
 * One entry of a W&B sweep's {@code parameters:}: a fixed {@code value}, a list of {@code values}, or a
 * {@code distribution} between {@code min} and {@code max} (with step {@code q} for the q_ kinds). Without a
 * distribution, min and max mean int_uniform when both are integers and uniform otherwise, as in W&B.
 *
 * @param name         the run config field it sets
 * @param values       the values of {@code value} (one) or {@code values}; null for a distribution
 * @param distribution one of {@link #DISTRIBUTIONS}, or "categorical" for values
 */
public record Parameter(String name, List<JsonNode> values, String distribution, double min, double max, double q) {
    /** The distributions biaslab draws from. */
    public static final List<String> DISTRIBUTIONS = List.of("categorical", "constant", "uniform", "int_uniform", "log_uniform_values",
            "q_uniform", "q_log_uniform_values");
    private static final Set<String> KEYS = Set.of("value", "values", "distribution", "min", "max", "q");

    /** The parameter {@code name} of a sweep file; a problem is an IllegalArgumentException naming {@code parameters.<name>}. */
    static Parameter parse(String name, JsonNode node) {
        String at = "parameters." + name;
        if (!node.isObject()) throw new IllegalArgumentException(at + ": expected an object with value, values or distribution/min/max");
        ObjectNode o = (ObjectNode) node;
        for (String key : (Iterable<String>) o::fieldNames) {
            if (!KEYS.contains(key)) throw new IllegalArgumentException(at + ": unknown key '" + key + "' (valid: value, values, distribution, min, max, q)");
        }
        String dist = o.has("distribution") ? o.get("distribution").asText() : null;
        if (dist != null && !DISTRIBUTIONS.contains(dist)) {
            throw new IllegalArgumentException(at + ": distribution '" + dist + "' is not supported (supported: " + String.join(", ", DISTRIBUTIONS) + ")");
        }
        if (o.has("value") || o.has("values")) {
            if (o.has("value") && o.has("values")) throw new IllegalArgumentException(at + ": give value or values, not both");
            if (o.has("min") || o.has("max")) throw new IllegalArgumentException(at + ": min/max do not combine with value or values");
            List<JsonNode> values = new ArrayList<>();
            if (o.has("value")) values.add(o.get("value"));
            else if (!o.get("values").isArray() || o.get("values").isEmpty()) throw new IllegalArgumentException(at + ".values: expected a non-empty list");
            else o.get("values").forEach(values::add);
            for (JsonNode v : values) {
                if (v.isContainerNode() || v.isNull()) throw new IllegalArgumentException(at + ": values must be numbers, strings or booleans, got " + v);
            }
            if (dist != null && !dist.equals("categorical") && !dist.equals("constant")) {
                throw new IllegalArgumentException(at + ": distribution " + dist + " takes min and max, not values");
            }
            return new Parameter(name, List.copyOf(values), "categorical", 0, 0, 0);
        }
        if (!o.has("min") || !o.has("max") || !o.get("min").isNumber() || !o.get("max").isNumber()) {
            throw new IllegalArgumentException(at + ": needs value, values, or numeric min and max");
        }
        double min = o.get("min").asDouble(), max = o.get("max").asDouble();
        if (dist == null) dist = o.get("min").isIntegralNumber() && o.get("max").isIntegralNumber() ? "int_uniform" : "uniform";
        if (dist.equals("categorical") || dist.equals("constant")) throw new IllegalArgumentException(at + ": distribution " + dist + " needs values");
        if (!(min <= max)) throw new IllegalArgumentException(at + ": min " + min + " exceeds max " + max);
        if (dist.contains("log") && !(min > 0)) throw new IllegalArgumentException(at + ": " + dist + " needs min > 0, got " + min);
        double q = o.has("q") ? o.get("q").asDouble() : 1;
        if (o.has("q") && !dist.startsWith("q_")) throw new IllegalArgumentException(at + ": q applies to q_uniform and q_log_uniform_values only");
        if (!(q > 0)) throw new IllegalArgumentException(at + ": q must be positive, got " + q);
        return new Parameter(name, null, dist, min, max, q);
    }

    /** The values a grid takes; a distribution has none. */
    List<JsonNode> grid() {
        if (values == null) throw new IllegalArgumentException("parameters." + name + ": method grid needs value or values, not distribution " + distribution);
        return values;
    }

    /** One draw from {@code rng}: a uniform choice among the values, or a draw from the distribution. */
    JsonNode draw(Rng rng) {
        if (values != null) return values.get(values.size() == 1 ? 0 : rng.nextInt(values.size()));
        double u = rng.uniform();
        return switch (distribution) {
            case "int_uniform" -> LongNode.valueOf((long) min + (long) Math.floor(u * ((long) max - (long) min + 1)));
            case "uniform" -> DoubleNode.valueOf(min + u * (max - min));
            case "log_uniform_values" -> DoubleNode.valueOf(Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))));
            case "q_uniform" -> DoubleNode.valueOf(Math.round((min + u * (max - min)) / q) * q);
            case "q_log_uniform_values" -> DoubleNode.valueOf(Math.round(Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) / q) * q);
            default -> throw new IllegalStateException(distribution);
        };
    }
}
