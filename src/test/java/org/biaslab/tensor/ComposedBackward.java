package org.biaslab.tensor;

/**
 * The test oracle for the fused double backward: the first-order gradients of layer norm and attention written with
 * differentiable ops, so that autodiff differentiates them a second time op by op.
 */
final class ComposedBackward {
    private ComposedBackward() {}

    /** dx, dγ, dβ of layer norm (biased variance, eps inside the root) for the output gradient g; γ is [D], [E, D] or null. */
    static Tensor[] layerNorm(Tensor g, Tensor x, Tensor gamma, double eps) {
        Tensor mu = x.mean(true, -1);
        Tensor rstd = x.var(true, 0, -1).add(eps).pow(-0.5);
        Tensor xhat = x.sub(mu).mul(rstd);
        Tensor gb = gamma == null ? null : broadcastable(gamma, x);
        Tensor dxhat = gb == null ? g : g.mul(gb);
        Tensor dx = dxhat.sub(dxhat.mean(true, -1)).sub(xhat.mul(dxhat.mul(xhat).mean(true, -1))).mul(rstd);
        if (gamma == null) return new Tensor[] {dx};
        int[] shape = gamma.shape().dims();
        return new Tensor[] {dx, g.mul(xhat).sumTo(gb.shape()).reshape(shape), g.sumTo(gb.shape()).reshape(shape)};
    }

    /** γ [D] as is, [E, D] as (E, 1, …, 1, D). */
    private static Tensor broadcastable(Tensor p, Tensor x) {
        if (p.shape().rank() == 1) return p;
        int[] dims = new int[x.shape().rank()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = p.dim(0);
        dims[dims.length - 1] = p.dim(1);
        return p.reshape(dims);
    }

    /** dq, dk, dv of softmax(scale·q kᵀ) v per head for the output gradient g (…, T, H·dh). */
    static Tensor[] attention(Tensor g, Tensor q, Tensor k, Tensor v, int heads, double scale, boolean causal) {
        Tensor qh = q.splitHeads(heads), kh = k.splitHeads(heads), vh = v.splitHeads(heads), gh = g.splitHeads(heads); // (…, H, ·, dh)
        Tensor scores = qh.matmulT(kh).mul(scale); // (…, H, T, S)
        if (causal) scores = scores.maskedFill(Tensor.causalMask(q.dim(-2), k.dim(-2), q.dtype()), Double.NEGATIVE_INFINITY);
        Tensor p = scores.softmax(-1);
        Tensor dp = gh.matmulT(vh); // (…, H, T, dh) x (…, H, S, dh)ᵀ -> (…, H, T, S)
        Tensor ds = p.mul(dp.sub(dp.mul(p).sum(true, -1))).mul(scale);
        return new Tensor[] {ds.matmul(kh).mergeHeads(), ds.transpose(-2, -1).matmul(qh).mergeHeads(), p.transpose(-2, -1).matmul(gh).mergeHeads()};
    }
}
