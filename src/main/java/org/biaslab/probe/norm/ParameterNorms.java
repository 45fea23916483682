package org.biaslab.probe.norm;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.biaslab.nn.Hooks;
import org.biaslab.tensor.Tensor;

/**
 * P3's parameter norm ρ(θ) = ‖θ‖₂ = sqrt(Σ_p ‖p‖_F²) of a parameter map (name → tensor), over all parameters or a
 * selection, globally and per layer (papers.md §P3.2). As the reference, scalar parameters (one value per model) are
 * left out unless asked for. Accumulated in float64; for an ensemble (leading member axis E on every tensor) one
 * value per member.
 */
public final class ParameterNorms {
    private ParameterNorms() {}

    /**
     * Which parameters count: names matching {@code glob} (dotted names; {@code *} one segment, {@code **} any, as
     * hook patterns; T5's {@code encoder/} prefix is {@code encoder.**}), and whether size-1 tensors count.
     */
    public record Selection(String glob, boolean includeScalars) {
        /** Every non-scalar parameter: the reference's ρ. */
        public static final Selection ALL = new Selection("**", false);

        public Selection {
            if (glob == null || glob.isBlank()) throw new IllegalArgumentException("parameter glob must not be blank");
        }

        /** Whether parameter {@code name} with {@code perMember} values per model counts. */
        boolean test(String name, long perMember, Pattern pattern) {
            return (includeScalars || perMember > 1) && pattern.matcher(name).matches();
        }

        Pattern pattern() {
            return Hooks.compile(glob);
        }
    }

    /** ‖θ‖₂ of each member: (E) values, one for a single model ({@code members} = 1). */
    public static double[] global(Map<String, Tensor> params, int members, Selection selection) {
        double[] sq = new double[members];
        Pattern pattern = selection.pattern();
        params.forEach((name, p) -> {
            if (selection.test(name, p.size() / members, pattern)) addSquares(p, members, sq);
        });
        return sqrt(sq);
    }

    /** ‖θ_ℓ‖₂ of each layer group ({@link #layer}), in order of first appearance; one value per member. */
    public static Map<String, double[]> byLayer(Map<String, Tensor> params, int members, Selection selection) {
        Map<String, double[]> groups = new LinkedHashMap<>();
        Pattern pattern = selection.pattern();
        params.forEach((name, p) -> {
            if (selection.test(name, p.size() / members, pattern)) addSquares(p, members, groups.computeIfAbsent(layer(name), k -> new double[members]));
        });
        groups.replaceAll((k, sq) -> sqrt(sq));
        return groups;
    }

    /**
     * The layer a parameter belongs to: its name up to the first numeric segment after the first
     * ({@code encoder.layer.3.attention.self.query.weight → encoder.layer.3}); otherwise its module (the name without
     * the last segment, {@code embeddings.word_embeddings}).
     */
    public static String layer(String name) {
        String[] s = name.split("\\.");
        for (int i = 1; i < s.length - 1; i++) {
            if (!s[i].isEmpty() && s[i].chars().allMatch(Character::isDigit)) return String.join(".", Arrays.copyOf(s, i + 1));
        }
        return name.substring(0, Math.max(0, name.lastIndexOf('.')));
    }

    private static void addSquares(Tensor p, int members, double[] sq) {
        double[] v = p.toDoubleArray();
        int per = v.length / members;
        for (int i = 0; i < v.length; i++) sq[i / per] += v[i] * v[i];
    }

    private static double[] sqrt(double[] sq) {
        double[] out = new double[sq.length];
        for (int e = 0; e < sq.length; e++) out[e] = Math.sqrt(sq[e]);
        return out;
    }
}
