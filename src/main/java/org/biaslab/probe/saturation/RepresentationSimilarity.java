package org.biaslab.probe.saturation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Module;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * Similarity of a model's representations to its saturated version (papers.md §P3.2): per layer ℓ, the cosine
 * cos(h_ℓ(θ), h_ℓ(cθ)) = h·h'/(‖h‖‖h'‖ + 1e-9) along the hidden dimension, averaged over the real tokens of the
 * batch (padding masked), as the reference's {@code eval_pretrain_sat_brown.py} and {@code get_saturation}.
 * Single models (no ensemble member axis).
 */
public final class RepresentationSimilarity {
    /** The reference's guard in the cosine's denominator. */
    public static final double GUARD = 1e-9;

    private RepresentationSimilarity() {}

    /**
     * Mean over tokens of cos(a_i, b_i) with a, b (…, d): the tokens are the positions of the leading axes, and
     * {@code mask} (shaped as those axes, 1 = real token, 0 = padding; null = all real) picks the ones averaged.
     */
    public static double tokenCosine(Tensor a, Tensor b, Tensor mask) {
        if (!a.shape().equals(b.shape())) throw new IllegalArgumentException("similarity: shapes " + a.shape() + " and " + b.shape() + " differ");
        int d = a.dim(-1), tokens = a.size() / d;
        int[] m = mask == null ? null : mask.toIntArray();
        if (m != null && m.length != tokens) throw new IllegalArgumentException("similarity: mask " + mask.shape() + " does not match " + tokens + " tokens of " + a.shape());
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double sum = 0;
        int n = 0;
        for (int i = 0; i < tokens; i++) {
            if (m != null && m[i] == 0) continue;
            double dot = 0, xx = 0, yy = 0;
            for (int j = i * d; j < (i + 1) * d; j++) {
                dot += x[j] * y[j];
                xx += x[j] * x[j];
                yy += y[j] * y[j];
            }
            sum += dot / (Math.sqrt(xx) * Math.sqrt(yy) + GUARD);
            n++;
        }
        if (n == 0) throw new IllegalArgumentException("similarity: no real token (the mask is all padding)");
        return sum / n;
    }

    /**
     * The anisotropy baseline of {@link #tokenCosine}: the mean of cos(h_i, h_j) over all pairs i ≠ j of real tokens
     * of h (…, d) (mask as in {@link #tokenCosine}), exactly, as (‖Σ u_i‖² − Σ ‖u_i‖²) / (n(n − 1)) with u_i = h_i/‖h_i‖
     * (u_i = 0 for a zero vector). When every token points the same way it is 1, and a similarity to the saturated
     * model near 1 then says nothing about saturation.
     */
    public static double anisotropy(Tensor h, Tensor mask) {
        int d = h.dim(-1), tokens = h.size() / d;
        int[] m = mask == null ? null : mask.toIntArray();
        if (m != null && m.length != tokens) throw new IllegalArgumentException("anisotropy: mask " + mask.shape() + " does not match " + tokens + " tokens of " + h.shape());
        double[] x = h.toDoubleArray(), sum = new double[d];
        double squares = 0;
        int n = 0;
        for (int i = 0; i < tokens; i++) {
            if (m != null && m[i] == 0) continue;
            double xx = 0;
            for (int j = i * d; j < (i + 1) * d; j++) xx += x[j] * x[j];
            n++;
            if (xx == 0) continue;
            double inv = 1 / Math.sqrt(xx);
            for (int j = 0; j < d; j++) sum[j] += x[i * d + j] * inv;
            squares += xx * inv * inv;
        }
        if (n < 2) throw new IllegalArgumentException("anisotropy: needs two real tokens, got " + n);
        double total = 0;
        for (double v : sum) total += v * v;
        return (total - squares) / ((double) n * (n - 1));
    }

    /** A layer's similarity to the saturated model and its baseline, the anisotropy at θ. */
    public record Layer(double similarity, double anisotropy) {}

    /**
     * Per hidden state of a pretrained model (0 = embedding output, as HuggingFace's {@code hidden_states}): the
     * similarity of h_ℓ(θ) to h_ℓ(cθ) on {@code input}, averaged over the tokens its attention mask marks real, and
     * the anisotropy of h_ℓ(θ).
     */
    public static List<Layer> of(PretrainedModel model, PretrainedModel.Input input, double c) {
        List<Tensor> plain, saturated;
        try (var off = GradMode.off()) {
            plain = model.hiddenStates(input);
            try (Saturate s = Saturate.scale(model.module(), c)) {
                saturated = model.hiddenStates(input);
            }
        }
        List<Layer> out = new ArrayList<>();
        for (int l = 0; l < plain.size(); l++) out.add(layer(plain.get(l), saturated.get(l), input.attentionMask()));
        return out;
    }

    /**
     * Per {@code hook_resid_post} point of a module (P1's encoder layers, by point name in forward order): the
     * similarity of the residual stream at θ and at cθ while {@code forward} runs the module once, and its anisotropy
     * at θ; {@code mask} as in {@link #tokenCosine}.
     */
    public static Map<String, Layer> ofResiduals(Module model, Runnable forward, Tensor mask, double c) {
        Map<String, Tensor> plain = residuals(model, forward), saturated;
        try (Saturate s = Saturate.scale(model, c)) {
            saturated = residuals(model, forward);
        }
        if (plain.isEmpty()) throw new IllegalArgumentException("similarity: the model has no hook_resid_post point");
        Map<String, Layer> out = new LinkedHashMap<>();
        plain.forEach((name, h) -> out.put(name, layer(h, saturated.get(name), mask)));
        return out;
    }

    private static Layer layer(Tensor plain, Tensor saturated, Tensor mask) {
        return new Layer(tokenCosine(plain, saturated, mask), anisotropy(plain, mask));
    }

    private static Map<String, Tensor> residuals(Module model, Runnable forward) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var off = GradMode.off(); Hooks.Capture c = model.hooks().capture("**.hook_resid_post")) {
            forward.run();
            c.values().forEach((name, v) -> out.put(name, v.getLast()));
        }
        return out;
    }
}
