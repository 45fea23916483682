package org.biaslab.probe.spectrum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;

/**
 * The census of dominating eigenvalues (papers.md §P2.4, the paper's Table 1): for every self-attention layer, head
 * and input, the attention pattern A (T × T over the input's real tokens) captured from a forward pass and the head's
 * H_h give a {@link Dominance}; the census counts its classes.
 */
public final class Census {
    private Census() {}

    /** How many (head, input) cases fell in each class. */
    public record Counts(long smoothing, long sharpening, long tied) {
        public long total() {
            return smoothing + sharpening + tied;
        }

        public Counts plus(Counts o) {
            return new Counts(smoothing + o.smoothing, sharpening + o.sharpening, tied + o.tied);
        }

        /** Percentages of the total {smoothing, sharpening, tied}; they sum to 100. */
        public double[] percentages() {
            double t = total();
            return new double[] {100 * smoothing / t, 100 * sharpening / t, 100 * tied / t};
        }
    }

    /** The census of one layer ({@link ValueOutput#attention()}). */
    public record Layer(String attention, Counts counts) {}

    /** Runs {@code input} through {@code model} capturing the patterns of {@code layers}, then counts. */
    public static List<Layer> of(PretrainedModel model, PretrainedModel.Input input, List<ValueOutput> layers, double tol) {
        Map<String, List<Tensor>> patterns;
        try (var noTape = GradMode.off(); Hooks.Capture c = model.module().hooks().capture("**.hook_pattern")) {
            model.hiddenStates(input);
            patterns = c.values();
        }
        return of(layers, p -> patterns.get(p) == null ? null : patterns.get(p).getLast(), input.attentionMask(), tol);
    }

    /**
     * Counts over the patterns {@code patterns.apply(layer.patternPoint())} (B, heads, T, T) of each layer;
     * {@code attentionMask} (B, T) is 1 at real tokens (null: none padded); A is trimmed to the real tokens.
     */
    public static List<Layer> of(List<ValueOutput> layers, java.util.function.Function<String, Tensor> patterns, Tensor attentionMask, double tol) {
        List<Layer> out = new ArrayList<>();
        for (ValueOutput layer : layers) {
            Tensor p = patterns.apply(layer.patternPoint());
            if (p == null) throw new IllegalArgumentException("census: no attention pattern captured at " + layer.patternPoint());
            if (p.shape().rank() != 4 || p.dim(1) != layer.heads() || p.dim(2) != p.dim(3)) {
                throw new IllegalArgumentException("census: pattern " + p.shape() + " at " + layer.patternPoint() + " is not (B, " + layer.heads() + ", T, T)");
            }
            Complex_F64[][] lambdaH = new Complex_F64[layer.heads()][];
            for (int h = 0; h < layer.heads(); h++) lambdaH[h] = layer.eigenvalues(h);
            int b = p.dim(0), t = p.dim(2);
            double[] a = p.toDoubleArray();
            int[] mask = attentionMask == null ? null : attentionMask.toIntArray();
            long[] n = new long[3];
            for (int x = 0; x < b; x++) {
                int[] real = realTokens(mask, x, t);
                for (int h = 0; h < layer.heads(); h++) {
                    DMatrixRMaj attention = new DMatrixRMaj(real.length, real.length);
                    int base = (x * layer.heads() + h) * t * t;
                    for (int r = 0; r < real.length; r++) for (int c = 0; c < real.length; c++) attention.set(r, c, a[base + real[r] * t + real[c]]);
                    n[Dominance.of(Eigen.values(attention), lambdaH[h], tol).kind().ordinal()]++;
                }
            }
            out.add(new Layer(layer.attention(), new Counts(n[0], n[1], n[2])));
        }
        return out;
    }

    /** The sum of the layers' counts. */
    public static Counts total(List<Layer> layers) {
        Counts c = new Counts(0, 0, 0);
        for (Layer l : layers) c = c.plus(l.counts());
        return c;
    }

    private static int[] realTokens(int[] mask, int x, int t) {
        if (mask == null) return java.util.stream.IntStream.range(0, t).toArray();
        int[] real = java.util.stream.IntStream.range(0, t).filter(i -> mask[x * t + i] != 0).toArray();
        if (real.length == 0) throw new IllegalArgumentException("census: input " + x + " has no real token");
        return real;
    }
}
