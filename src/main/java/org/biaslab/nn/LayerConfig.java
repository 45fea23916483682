package org.biaslab.nn;

/**
 * The shape of a transformer layer: width d, heads, feed-forward width, activation, LayerNorm placement
 * ({@code normFirst}: Pre-LN; otherwise Post-LN as PyTorch's default), LN eps, and biases on the projections.
 */
public record LayerConfig(int d, int heads, int ffn, Activation activation, boolean normFirst, double eps, boolean bias) {
    public LayerConfig {
        if (d <= 0 || heads <= 0 || ffn <= 0) throw new IllegalArgumentException("layer: d, heads and ffn must be positive, got " + d + ", " + heads + ", " + ffn);
        if (d % heads != 0) throw new IllegalArgumentException("layer: d = " + d + " is not divisible by " + heads + " heads");
    }

    /** PyTorch's TransformerEncoderLayer defaults apart from the sizes: ReLU, Post-LN, eps 1e-5, biases. */
    public static LayerConfig torchDefault(int d, int heads, int ffn) {
        return new LayerConfig(d, heads, ffn, Activation.RELU, false, 1e-5, true);
    }
}
