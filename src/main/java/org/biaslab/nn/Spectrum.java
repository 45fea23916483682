package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * Where {@link SpectralAttention} keeps the eigenvalues Λ = diag(λ) of each head's value–output map, from a learnable
 * ψ: SMOOTH ("+") λ = ψ², a spectrum that makes the constant token direction dominate (oversmoothing), SHARPEN
 * ("−") λ = clip(−ψ², −1, 0), the range in which it never dominates.
 */
public enum Spectrum {
    SMOOTH("+"), SHARPEN("−");

    private final String sign;

    Spectrum(String sign) {
        this.sign = sign;
    }

    /** "+" or "−", the papers' superscript. */
    public String sign() {
        return sign;
    }

    /** λ from ψ, elementwise. */
    public Tensor eigenvalues(Tensor psi) {
        Tensor square = psi.pow(2.0);
        return this == SMOOTH ? square : square.neg().maximum(Tensor.scalar(psi.dtype(), -1));
    }
}
