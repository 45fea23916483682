package org.biaslab.probe.saturation;

import java.util.function.Supplier;
import org.biaslab.nn.Module;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * Homogeneity curves (papers.md §P3.3 (3), §P3.4 (6), the reference's {@code plot_trans_scale.py}): how close the
 * encodings at scale c are to those at a large reference scale, cos(vec f(x; cθ), vec f(x; c_ref θ)) of the
 * flattened encodings (as the reference, one cosine over the whole batch; denominator guarded by 1e-9). A
 * k-homogeneous model gives 1 at every c.
 */
public final class Homogeneity {
    /** The reference's scales: linspace(1, 10, 20). */
    public static final double[] SCALES = linspace(1, 10, 20);

    private Homogeneity() {}

    /** The similarity at each scale in {@code scales} to scale {@code reference}; {@code encode} runs the model once. */
    public static double[] curve(Module model, Supplier<Tensor> encode, double[] scales, double reference) {
        double[] ref = encoding(model, encode, reference);
        double[] out = new double[scales.length];
        for (int i = 0; i < scales.length; i++) out[i] = cosine(encoding(model, encode, scales[i]), ref);
        return out;
    }

    private static double[] encoding(Module model, Supplier<Tensor> encode, double c) {
        try (var off = GradMode.off(); Saturate s = Saturate.scale(model, c)) {
            return encode.get().toDoubleArray();
        }
    }

    private static double cosine(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("homogeneity: encodings of " + a.length + " and " + b.length + " values");
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return dot / (Math.sqrt(aa) * Math.sqrt(bb) + RepresentationSimilarity.GUARD);
    }

    /** n evenly spaced values from a to b inclusive, numpy's linspace. */
    public static double[] linspace(double a, double b, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = n == 1 ? a : a + (b - a) * i / (n - 1);
        return out;
    }
}
