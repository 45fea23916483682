package org.biaslab.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.ParameterNorm;
import org.biaslab.probe.SharpnessConfig;

/**
 * A sweep's end-of-training measurements (biaslab's {@code measure:} key, not in W&B's format): LayerNorm blowup and
 * parameter norm, and P1's sharpness when asked, over {@code batches} batches of {@code batch} fresh inputs, as
 * {@code reproduce p1} measures.
 */
public record MeasureSpec(int batches, int batch, boolean sharpness) {
    private static final Set<String> KEYS = Set.of("batches", "batch", "sharpness");

    static MeasureSpec parse(JsonNode node) {
        if (!node.isObject()) throw new IllegalArgumentException("measure: expected an object with batches, batch and sharpness");
        for (String key : (Iterable<String>) node::fieldNames) {
            if (!KEYS.contains(key)) throw new IllegalArgumentException("measure: unknown key '" + key + "' (valid: batches, batch, sharpness)");
        }
        int batches = positive(node, "batches"), batch = positive(node, "batch");
        JsonNode s = node.path("sharpness");
        if (!s.isMissingNode() && !s.isBoolean()) throw new IllegalArgumentException("measure.sharpness: expected true or false, got " + s);
        return new MeasureSpec(batches, batch, s.asBoolean(false));
    }

    private static int positive(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw new IllegalArgumentException("measure." + key + ": expected a positive integer, got " + v);
        }
        return v.asInt();
    }

    /** The measurement plan: blowup and norm always, P1's sharpness (seed 0) when asked. */
    public FinalMeasurements.Plan plan() {
        return sharpness ? new FinalMeasurements.Plan(true, SharpnessConfig.p1(0), ParameterNorm.P1_EXCLUDE)
                : new FinalMeasurements.Plan(true, null, ParameterNorm.P1_EXCLUDE);
    }
}
