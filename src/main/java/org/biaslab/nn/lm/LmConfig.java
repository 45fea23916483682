package org.biaslab.nn.lm;

import java.util.Locale;

/**
 * The shape of a {@link LanguageModel}: vocabulary, width d, layers, heads (d_head = d / heads), feed-forward width
 * d_ff, the longest input (the positional table's size), the LayerNorm variant, biases on every Linear, and
 * {@code zeroMask}: the reference's causal mask that sets later keys' scores to 0, not −∞ (its quirk 1).
 */
public record LmConfig(int vocab, int d, int layers, int heads, int ffn, int maxLen, LmVariant variant, boolean bias, boolean zeroMask) {
    /** With the correct causal mask (−∞ for later keys). */
    public LmConfig(int vocab, int d, int layers, int heads, int ffn, int maxLen, LmVariant variant, boolean bias) {
        this(vocab, d, layers, heads, ffn, maxLen, variant, bias, false);
    }

    public LmConfig {
        if (vocab < 1 || d < 1 || layers < 1 || heads < 1 || ffn < 1 || maxLen < 1) {
            throw new IllegalArgumentException("LM: vocab, d, layers, heads, ffn and maxLen must be positive, got " + vocab + ", " + d
                    + ", " + layers + ", " + heads + ", " + ffn + ", " + maxLen);
        }
        if (d % heads != 0) throw new IllegalArgumentException("LM: d = " + d + " is not divisible by " + heads + " heads");
        if (variant == null) throw new IllegalArgumentException("LM: a variant is needed");
    }

    /**
     * Sizes by preset name: {@code reference} (P3's: 12 layers, d 768, 12 heads, d_ff 512), {@code small} (4 layers,
     * d 128, 4 heads, d_ff 256) and {@code tiny} (2 layers, d 64, 2 heads, d_ff 128), the last two for the CPU.
     */
    public static LmConfig preset(String name, int vocab, int maxLen, LmVariant variant) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "reference" -> new LmConfig(vocab, 768, 12, 12, 512, maxLen, variant, true);
            case "small" -> new LmConfig(vocab, 128, 4, 4, 256, maxLen, variant, true);
            case "tiny" -> new LmConfig(vocab, 64, 2, 2, 128, maxLen, variant, true);
            default -> throw new IllegalArgumentException("unknown LM preset '" + name + "' (tiny, small, reference)");
        };
    }
}
