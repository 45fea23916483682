package org.biaslab.tensor;

import java.util.List;

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

    /**
     * out[i, :] = table[g·V + index[i], :] for a 2-D table of G·V rows and int32 indices, G = {@code groups}: position
     * i is in group g = i / (count / G) (an ensemble's members, each with its own V rows; one group: the whole table).
     */
    void gather(Tensor table, Tensor index, Tensor out, int groups);

    /** Whether {@link #gatherAdd} is implemented (callers compose a gather and an add otherwise). */
    default boolean hasGatherAdd() {
        return false;
    }

    /**
     * {@link #gather} plus, on each gathered row i of group g, row (g·P + i mod P) of {@code addend} (G·P, D): one pass
     * instead of a gather and an add, with the same sum per element.
     */
    default void gatherAdd(Tensor table, Tensor index, Tensor addend, Tensor out, int groups) {
        throw new UnsupportedOperationException("gather add: not on this backend");
    }

    /** out[g·V + index[i], :] += src[i, :], with the groups of {@link #gather}. */
    void scatterAdd(Tensor src, Tensor index, Tensor out, int groups);

    /** Softmax (or log-softmax) over the last axis. */
    void softmax(Tensor a, Tensor out, boolean log);

    /**
     * Layer norm over the last axis with biased variance: out = (x − mean)·rstd·γ + β, rstd = 1/√(var + eps).
     * γ and β hold D values, or E·D for E ensemble members whose rows come one member after another; they may be
     * null. mean and rstd (one per row) are written for the backward pass.
     */
    void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd);

    /** Whether {@link #addLayerNorm} and {@link #biasRelu} are implemented (callers compose their ops otherwise). */
    default boolean hasFusedRows() {
        return false;
    }

    /**
     * {@link #layerNorm} of s = x + (a + bias) in one pass, with the composed ops' sums; bias, γ and β hold D or E·D
     * values alike. s receives the sum when not null (for a backward pass).
     */
    default void addLayerNorm(Tensor x, Tensor a, Tensor bias, Tensor gamma, Tensor beta, double eps, Tensor s, Tensor out,
                              Tensor mean, Tensor rstd) {
        throw new UnsupportedOperationException("add + layer norm: not on this backend");
    }

    /** out = relu(u + bias) in one pass; bias holds D values, or E·D for E members whose rows come one after another. */
    default void biasRelu(Tensor u, Tensor bias, Tensor out) {
        throw new UnsupportedOperationException("bias + relu: not on this backend");
    }

    /** Gradients of layer norm; dgamma and dbeta are null when there is no affine part. */
    void layerNormBackward(Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx, Tensor dgamma,
                           Tensor dbeta);

    /**
     * Second derivatives of layer norm: from the cotangents a of {@link #layerNormBackward}'s dx and c, b of its dγ,
     * dβ (null without an affine part), the cotangents gg, gx, ggamma of its inputs g, x, γ (formulas in
     * {@code NeuralOps.layerNormDoubleBackward}; ggamma is null without an affine part).
     */
    void layerNormDoubleBackward(Tensor a, Tensor c, Tensor b, Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd,
                                 Tensor gg, Tensor gx, Tensor ggamma);

    /**
     * Scaled dot-product attention for every leading index n and head h: z = softmax(scale·q kᵀ) v, where a causal
     * mask hides key j from query i when j > i + S − T. q and z are (N, T, H·dh), k and v (N, S, H·dh) with head h
     * in columns h·dh … (h+1)·dh − 1; p (N, H, T, S) receives the probabilities for the backward pass, or is null
     * when no backward pass will read them.
     */
    void attention(Tensor q, Tensor k, Tensor v, int heads, double scale, boolean causal, Tensor z, Tensor p);

    /**
     * Gradients dq, dk, dv of {@link #attention} from gz (N, T, H·dh) and the probabilities p it saved, or null where
     * {@link #recomputesProbabilities} (then recomputed from q and k, causal as in the forward pass); with dv null, dk
     * receives dk + dv (keys and values one tensor, the sum its gradient).
     */
    void attentionBackward(Tensor gz, Tensor q, Tensor k, Tensor v, Tensor p, int heads, double scale, boolean causal,
                           Tensor dq, Tensor dk, Tensor dv);

    /**
     * Whether {@link #attentionBackward} recomputes the probabilities of these tensors itself, with the forward
     * pass's bits, so that the forward pass need not write them out for it.
     */
    default boolean recomputesProbabilities(Tensor q, Tensor k, int heads) {
        return false;
    }

    /**
     * Second derivatives of attention: from the cotangents aq, ak, av of {@link #attentionBackward}'s dq, dk, dv, the
     * cotangents gg, gq, gk, gv of its inputs gz, q, k, v (formulas in {@code FusedAttention.doubleBackward}).
     */
    void attentionDoubleBackward(Tensor aq, Tensor ak, Tensor av, Tensor gz, Tensor q, Tensor k, Tensor v, Tensor p, int heads,
                                 double scale, Tensor gg, Tensor gq, Tensor gk, Tensor gv);

    /** Whether {@link #attention} takes T queries and S keys of width dh; callers compose attention otherwise. */
    default boolean fitsAttention(int t, int s, int dh) {
        return true;
    }

    /** Σ (a − b)² over all elements of two same-shape tensors, accumulated in double. */
    double squaredErrorSum(Tensor a, Tensor b);

    /**
     * Σ x² over each of {@code groups} equal consecutive blocks of a, accumulated in double: a parameter's squared
     * norm per ensemble member without copying it to the host.
     */
    double[] squaredSums(Tensor a, int groups);

    /** Σ_i logp[i, target[i]] for a 2-D logp and int32 targets. */
    double pickSum(Tensor logp, Tensor target);

    /** Copies a into out, converting the dtype. */
    void convert(Tensor a, Tensor out);

    // ---- in-place updates (optimisers); lr and c hold one value, or one per index of axis 0 ----

    /**
     * One AdamW step in place on p, m (exp_avg) and v (exp_avg_sq), in the op order of PyTorch's single-tensor
     * kernel: p ← p(1 − lr·wd); m ← lerp(m, g, 1 − β1); v ← β2v + (1 − β2)g²;
     * p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps).
     */
    void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double[] lr, double beta1, double beta2, double eps,
               double weightDecay, long step);

    /**
     * {@link #adamw} for every (p, g, m, v) of {@code tensors}, all at the same step, with the same bits; a backend
     * may update them in one launch.
     */
    default void adamwAll(List<Tensor[]> tensors, double[] lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        for (Tensor[] t : tensors) adamw(t[0], t[1], t[2], t[3], lr, beta1, beta2, eps, weightDecay, step);
    }

    /**
     * One SGD step in place as PyTorch: d = g + wd·p; with a momentum buffer b (null when momentum is 0),
     * b ← d on the first step, else b ← momentum·b + (1 − dampening)·d, and d = nesterov ? d + momentum·b : b;
     * p ← p − lr·d.
     */
    void sgd(Tensor p, Tensor g, Tensor buf, double[] lr, double momentum, double dampening, double weightDecay,
             boolean nesterov, boolean firstStep);

    /** t ← c·t in place. */
    void scale(Tensor t, double[] c);
}
