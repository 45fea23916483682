package org.biaslab.probe.interpret;

import java.util.List;
import java.util.stream.IntStream;
import org.biaslab.tensor.Tensor;

/** The most probable tokens at one position of logits: p = softmax(logits) in float64, shifted by the maximum. */
public final class TopTokens {
    private TopTokens() {}

    /** A token id and its probability. */
    public record Prediction(int id, double probability) {}

    /** The k most probable tokens at sequence {@code b}, position {@code t} of logits (B, T, V), most probable first (ties: lower id first). */
    public static List<Prediction> of(Tensor logits, int b, int t, int k) {
        int tokens = logits.dim(1), v = logits.dim(2);
        if (t < 0 || t >= tokens) throw new IllegalArgumentException("position " + t + " is outside the " + tokens + " tokens (0 … " + (tokens - 1) + ")");
        double[] p = softmax(logits.slice(0, b, b + 1).slice(1, t, t + 1).toDoubleArray());
        return IntStream.range(0, v).boxed()
                .sorted((x, y) -> p[x] != p[y] ? Double.compare(p[y], p[x]) : Integer.compare(x, y))
                .limit(k).map(id -> new Prediction(id, p[id])).toList();
    }

    private static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : x) max = Math.max(max, v);
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) sum += p[i] = Math.exp(x[i] - max);
        for (int i = 0; i < x.length; i++) p[i] /= sum;
        return p;
    }
}
