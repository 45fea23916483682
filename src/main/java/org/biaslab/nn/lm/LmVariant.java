package org.biaslab.nn.lm;

import java.util.Locale;

/**
 * Where a language-model layer puts its LayerNorms around a sublayer f (attention or feed-forward), by the names of
 * P3's reference code ({@code --trans}).
 */
public enum LmVariant {
    /** Post-LN, the reference's {@code control}: x ← LN(x + f(x)). */
    CONTROL,
    /** The reference's {@code pre_norm}: x ← LN(f(x)) + x, the LN on the sublayer's output (not standard Pre-LN). */
    PRE_NORM,
    /** Standard Pre-LN: x ← x + f(LN(x)), with a final LN after the last layer. */
    PRE_LN;

    /** "control", "pre_norm" or "pre_ln"; anything else is an error listing them. */
    public static LmVariant parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "control" -> CONTROL;
            case "pre_norm" -> PRE_NORM;
            case "pre_ln" -> PRE_LN;
            default -> throw new IllegalArgumentException("unknown LM variant '" + name + "' (control, pre_norm, pre_ln)");
        };
    }

    /** The name parse reads. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
