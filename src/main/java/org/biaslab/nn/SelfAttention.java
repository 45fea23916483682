package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * Self-attention over one sequence, out = Σ_h A_h X H_h (+ bias), with the value–output map of each head readable:
 * the ordinary {@code W_V^h W_O^h} or the spectral reparameterisation {@link SpectralAttention}.
 */
public abstract class SelfAttention extends AttentionHeads {
    protected SelfAttention(int heads, int members) {
        super(heads, members);
    }

    /** (…, T, d) -> (…, T, d); with an ensemble the leading axis is the member axis. */
    public abstract Tensor forward(Tensor x);

    /**
     * The value–output maps H_h (d, d) of the heads, (H, d, d), or (E, H, d, d) for an ensemble: the head's
     * contribution to the output is A_h X H_h (row-vector convention), biases aside.
     */
    public abstract Tensor valueOutputMaps();
}
