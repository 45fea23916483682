package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/** y = x Wᵀ + b with PyTorch's (out, in) weight layout, per ensemble member when there is a member axis. */
public final class Affine {
    private Affine() {}

    /**
     * x (…, in) with W (out, in) and b (out) for one member; x (E, …, in) with W (E, out, in) and b (E, out) for
     * an ensemble, computed as E GEMMs over all of a member's rows at once. b may be null.
     */
    public static Tensor apply(Tensor x, Tensor w, Tensor b, int members) {
        int in = x.dim(-1), out = w.dim(-2);
        if (w.dim(-1) != in) {
            throw new org.biaslab.tensor.ShapeException("linear: input " + x.shape() + " does not match weight " + w.shape());
        }
        int[] dims = x.shape().dims();
        dims[dims.length - 1] = out;
        // rows are flattened in both cases so that a member's sums (e.g. the bias gradient over all rows) run in
        // the same order as in a single model: ensembles reproduce separate runs bit for bit
        Tensor rows = members == 1 ? x.reshape(-1, in) : x.reshape(members, -1, in); // (N, in) or (E, N, in)
        // (N, in) x (out, in)ᵀ + b -> (N, out), or per member (E, N, in) x (E, out, in)ᵀ + (E, 1, out) -> (E, N, out)
        return (b == null ? rows.matmulT(w) : rows.linear(w, b)).reshape(dims);
    }
}
