package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * Root-mean-square norm over the last axis, T5's {@code T5LayerNorm}: x / √(mean(x²) + eps) · {@code weight}, with
 * no mean subtraction and no bias; weight = 1 at init. Hooks {@code hook_in} (the norm's input) and {@code hook_out}.
 */
public final class RmsNorm extends Module {
    private final double eps;

    public RmsNorm(int dim, double eps, Init init) {
        super(init.members());
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("rms norm: eps must be a finite number >= 0, got " + eps);
        this.eps = eps;
        register("weight", init.constant(1, dim));
    }

    public Tensor forward(Tensor x) {
        Tensor in = hook("hook_in", x);
        Tensor rms = in.pow(2.0).mean(true, -1).add(eps).sqrt(); // (…, d) -> (…, 1)
        return hook("hook_out", in.div(rms).mul(perMember(p("weight"), in.shape().rank())));
    }

    /** (d) as is; (E, d) -> (E, 1, …, 1, d) to broadcast over x (E, …, d) of rank {@code rank}. */
    private Tensor perMember(Tensor w, int rank) {
        if (members == 1) return w;
        int[] dims = new int[rank];
        java.util.Arrays.fill(dims, 1);
        dims[0] = members;
        dims[rank - 1] = w.dim(-1);
        return w.reshape(dims);
    }
}
