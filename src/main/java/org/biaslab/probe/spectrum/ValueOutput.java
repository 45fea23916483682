package org.biaslab.probe.spectrum;

import java.util.Arrays;
import java.util.List;
import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The value–output maps of one self-attention layer in the row-vector convention X ↦ X H (tokens are rows): per head
 * h, {@code wv} W_V^h (d × d_head) and {@code wo} W_O^h (d_head × d), so that H_h = W_V^h W_O^h (d × d, rank ≤ d_head),
 * and the row {@code offset} c (1 × d) that the biases add to every token, c = b_V W_O + b_O. For the layer's input
 * X (T × d) and its row-stochastic patterns A_h, the attention block outputs Σ_h A_h X H_h + 1 c.
 * <p>
 * {@code attention} is the module path (its patterns are at {@link #patternPoint()}); {@code norm} the path of the
 * LayerNorm (T5: RMS norm) whose output X is, null where none (a Post-LN stack's first layer without an embedding
 * norm). When {@code folded}, W_V^h already carries that norm's γ, W_V^h ← diag(γ) W_V^h, so X is the norm's
 * normalised input before γ and β, and c includes β Σ_h H_h.
 */
public record ValueOutput(String attention, String norm, boolean folded, List<DMatrixRMaj> wv, List<DMatrixRMaj> wo, DMatrixRMaj offset) {
    public ValueOutput {
        if (wv.size() != wo.size() || wv.isEmpty()) throw new IllegalArgumentException(attention + ": " + wv.size() + " value and " + wo.size() + " output blocks");
        wv = List.copyOf(wv);
        wo = List.copyOf(wo);
    }

    /** The hook point of this layer's attention patterns (B, heads, T, T). */
    public String patternPoint() {
        return attention + ".hook_pattern";
    }

    public int heads() {
        return wv.size();
    }

    /** The model width d. */
    public int d() {
        return wv.get(0).numRows;
    }

    /** H_h = W_V^h W_O^h: (d, d_head) x (d_head, d) -> (d, d). */
    public DMatrixRMaj h(int head) {
        return CommonOps_DDRM.mult(wv.get(head), wo.get(head), null);
    }

    /** The layer's Σ_h H_h (d × d). */
    public DMatrixRMaj sum() {
        DMatrixRMaj s = new DMatrixRMaj(d(), d());
        for (int head = 0; head < heads(); head++) CommonOps_DDRM.addEquals(s, h(head));
        return s;
    }

    /**
     * The d_head eigenvalues of W_O^h W_V^h (d_head × d_head): the spectrum of H_h without its d − d_head structural
     * zeros (the non-zero eigenvalues of a product do not depend on the order of its factors).
     */
    public Complex_F64[] compactEigenvalues(int head) {
        return Eigen.values(CommonOps_DDRM.mult(wo.get(head), wv.get(head), null)); // (dh, d) x (d, dh) -> (dh, dh)
    }

    /** The d eigenvalues of H_h: {@link #compactEigenvalues} followed by d − d_head zeros. */
    public Complex_F64[] eigenvalues(int head) {
        Complex_F64[] small = compactEigenvalues(head);
        Complex_F64[] all = Arrays.copyOf(small, d());
        for (int i = small.length; i < all.length; i++) all[i] = new Complex_F64(0, 0);
        return all;
    }
}
