package org.biaslab.tensor;

/**
 * The kernels a device provides. Outputs are allocated by the caller with their final shape and dtype; every
 * tensor passed in is contiguous. {@link ReferenceBackend} is the plain-loop oracle for the fast ones.
 */
public interface Backend {
    /** out = op(a) elementwise; {@code param} is the exponent of POW. */
    void unary(UnaryOp op, Tensor a, double param, Tensor out);

    /** out = op(a, b) with NumPy broadcasting to out's shape. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** out = cond ≠ 0 ? a : b with broadcasting. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /** Reduces {@code axis} of a into out, whose shape is a's with that axis set to 1. */
    void reduce(ReduceOp op, Tensor a, int axis, Tensor out);

    /**
     * Batched GEMM: for batch item i, out[i] (m×n) = op(A_i) op(B_i), where A_i starts at element aOffsets[i] of a
     * and is stored m×k (k×m when transA), and B_i starts at bOffsets[i], stored k×n (n×k when transB).
     */
    void matmul(Tensor a, int[] aOffsets, boolean transA, Tensor b, int[] bOffsets, boolean transB, Tensor out,
                int m, int n, int k);

    /** out = a with its axes permuted: out dimension j is a's dimension perm[j]. */
    void permute(Tensor a, int[] perm, Tensor out);

    /** out = a[..., start:start+out.dim(axis), ...] along {@code axis}. */
    void slice(Tensor a, int axis, int start, Tensor out);

    /** out[..., start:start+src.dim(axis), ...] = src along {@code axis}; the rest of out is untouched. */
    void insert(Tensor src, int axis, int start, Tensor out);

    /** out[i, :] = table[index[i], :] for a 2-D table and int32 indices. */
    void gather(Tensor table, Tensor index, Tensor out);

    /** out[index[i], :] += src[i, :]. */
    void scatterAdd(Tensor src, Tensor index, Tensor out);

    /** Softmax (or log-softmax) over the last axis. */
    void softmax(Tensor a, Tensor out, boolean log);

    /**
     * Layer norm over the last axis with biased variance: out = (x − mean)·rstd·γ + β, rstd = 1/√(var + eps).
     * γ and β hold D values, or E·D for E ensemble members whose rows come one member after another; they may be
     * null. mean and rstd (one per row) are written for the backward pass.
     */
    void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd);

    /** Gradients of layer norm; dgamma and dbeta are null when there is no affine part. */
    void layerNormBackward(Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx, Tensor dgamma,
                           Tensor dbeta);

    /** Σ (a − b)² over all elements of two same-shape tensors, accumulated in double. */
    double squaredErrorSum(Tensor a, Tensor b);

    /** Σ_i logp[i, target[i]] for a 2-D logp and int32 targets. */
    double pickSum(Tensor logp, Tensor target);

    /** Copies a into out, converting the dtype. */
    void convert(Tensor a, Tensor out);
}
