package org.biaslab.nn.vit;

import org.biaslab.nn.Spectrum;

/**
 * The attention of a ViT layer: BASELINE with ordinary value and output projections (H_h = W_V^h W_O^h), or the
 * spectral reparameterisation H_h = V Λ Vᵀ with a smoothing ("+") or sharpening ("−") spectrum.
 */
public enum AttentionVariant {
    BASELINE(null), SMOOTH(Spectrum.SMOOTH), SHARPEN(Spectrum.SHARPEN);

    private final Spectrum spectrum;

    AttentionVariant(Spectrum spectrum) {
        this.spectrum = spectrum;
    }

    /** The spectrum of the reparameterised variants; null for BASELINE. */
    public Spectrum spectrum() {
        return spectrum;
    }

    /** "baseline", "+" or "−": the label the papers use (ViT-Ti, ViT-Ti⁺, ViT-Ti⁻). */
    public String label() {
        return spectrum == null ? "baseline" : spectrum.sign();
    }

    /** Parses "baseline", "+"/"plus"/"smooth" or "-"/"−"/"minus"/"sharpen"; the error lists them. */
    public static AttentionVariant parse(String name) {
        return switch (name.toLowerCase()) {
            case "baseline" -> BASELINE;
            case "+", "plus", "smooth" -> SMOOTH;
            case "-", "−", "minus", "sharpen" -> SHARPEN;
            default -> throw new IllegalArgumentException("unknown attention variant '" + name + "' (baseline, +, -)");
        };
    }
}
