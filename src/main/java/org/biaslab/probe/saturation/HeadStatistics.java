package org.biaslab.probe.saturation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Module;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.hipparchus.stat.descriptive.StreamingStatistics;

/**
 * Saturated attention-head statistics (papers.md §P3.2, the reference's {@code saturate.py}): for attention weights
 * W (B, H, T, S) of each head, the count per query n[b,t] = #{s : W[b,t,s] > 1e-5}; per head the mean number of
 * positions attended mean(n), the split-attention probability mean(n > 1) and std(n) (population std, numpy's).
 * Only real queries count (padding excluded; the reference counts every query).
 *
 * <p>Each head is also labelled, by a rule of ours (the reference only plots histograms): a query averages if it
 * attends to more than half of the positions it may attend (A[b,t] = real keys, at or before t when causal), and a
 * head is GLOBAL when most of its queries with A ≥ 2 average, LOCAL (argmax-like) otherwise.
 */
public final class HeadStatistics {
    /** The reference's threshold for an attended position. */
    public static final double THRESHOLD = 1e-5;

    private HeadStatistics() {}

    /** Argmax-like or averaging. */
    public enum Kind { LOCAL, GLOBAL }

    /**
     * One head's statistics: {@code point} is the hook point of its attention module, {@code averaging} the share of
     * its queries with at least two allowed positions that attend to more than half of them.
     */
    public record Head(String point, int head, double meanPositions, double splitProbability, double stdPositions,
                       double averaging, Kind kind) {}

    /**
     * Statistics of every head in {@code patterns} (hook point → W (B, H, T, S)). {@code attentionMask} (B, S) is 1
     * at real tokens (null: none padded; with a mask, queries and keys are the same tokens, T = S);
     * {@code causal} tells the points whose query t may attend only keys s ≤ t (a decoder's self-attention).
     */
    public static List<Head> of(Map<String, Tensor> patterns, Tensor attentionMask, Predicate<String> causal) {
        List<Head> out = new ArrayList<>();
        for (var e : patterns.entrySet()) {
            Tensor w = e.getValue();
            boolean prefix = causal.test(e.getKey());
            if (w.shape().rank() != 4) throw new IllegalArgumentException(e.getKey() + ": attention weights must be (B, H, T, S), got " + w.shape());
            int b = w.dim(0), h = w.dim(1), t = w.dim(2), s = w.dim(3);
            int[] mask = attentionMask == null ? null : attentionMask.toIntArray();
            if (mask != null && (mask.length != b * s || t != s)) {
                throw new IllegalArgumentException(e.getKey() + ": attention mask " + attentionMask.shape() + " does not match weights " + w.shape());
            }
            double[] v = w.toDoubleArray();
            for (int head = 0; head < h; head++) {
                StreamingStatistics n = new StreamingStatistics();
                int split = 0, informative = 0, averaging = 0;
                for (int bi = 0; bi < b; bi++) {
                    for (int q = 0; q < t; q++) {
                        if (mask != null && mask[bi * s + q] == 0) continue;
                        int count = 0, allowed = 0;
                        int row = ((bi * h + head) * t + q) * s;
                        for (int k = 0; k < s; k++) {
                            if (v[row + k] > THRESHOLD) count++;
                            if ((mask == null || mask[bi * s + k] != 0) && (!prefix || k <= q)) allowed++;
                        }
                        n.addValue(count);
                        if (count > 1) split++;
                        if (allowed >= 2) {
                            informative++;
                            if (count > allowed / 2.0) averaging++;
                        }
                    }
                }
                if (n.getN() == 0) throw new IllegalArgumentException(e.getKey() + ": no real query (the mask is all padding)");
                double share = informative == 0 ? 0 : (double) averaging / informative;
                out.add(new Head(e.getKey(), head, n.getMean(), (double) split / n.getN(), Math.sqrt(n.getPopulationVariance()),
                        share, share > 0.5 ? Kind.GLOBAL : Kind.LOCAL));
            }
        }
        return out;
    }

    /**
     * The heads of {@code model} saturated at scale c: its {@code **.hook_pattern} points captured while
     * {@code forward} runs it once with every parameter scaled by c (hooks make attention take the composed path).
     */
    public static List<Head> saturated(Module model, Runnable forward, double c, Tensor attentionMask, Predicate<String> causal) {
        Map<String, Tensor> patterns = new LinkedHashMap<>();
        try (var off = GradMode.off(); Saturate s = Saturate.scale(model, c); Hooks.Capture cap = model.hooks().capture("**.hook_pattern")) {
            forward.run();
            cap.values().forEach((name, v) -> patterns.put(name, v.getLast()));
        }
        if (patterns.isEmpty()) throw new IllegalArgumentException("head statistics: the model has no hook_pattern point");
        return of(patterns, attentionMask, causal);
    }
}
