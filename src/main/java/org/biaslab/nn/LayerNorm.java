package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * Layer norm over the last axis, PyTorch's {@code nn.LayerNorm}: biased variance, eps inside the root, affine
 * {@code weight} γ = 1 and {@code bias} β = 0 at init. Hook {@code hook_in} is the LN input (for LN blowup).
 */
public final class LayerNorm extends Module {
    private final double eps;

    public LayerNorm(int dim, double eps, boolean affine, Init init) {
        super(init.members());
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("layer norm: eps must be a finite number >= 0, got " + eps);
        this.eps = eps;
        if (affine) {
            register("weight", init.constant(1, dim));
            register("bias", init.constant(0, dim));
        }
    }

    public Tensor forward(Tensor x) {
        return hook("hook_out", hook("hook_in", x).layerNorm(p("weight"), p("bias"), eps));
    }

    /**
     * {@code forward(residual.add(linear.forward(in)))}, in one op that adds the linear map's bias, the residual and
     * normalises where both modules are {@link #fusable} (the same values and gradients), else as written.
     */
    Tensor afterResidual(Tensor residual, Linear linear, Tensor in) {
        if (!fusable() || !linear.fusable()) return forward(residual.add(linear.forward(in)));
        return Tensor.addLayerNorm(residual, linear.product(in), linear.bias(), p("weight"), p("bias"), eps);
    }

    /** Whether the norm is affine and no hook sees its input or output. */
    boolean fusable() {
        return p("weight") != null && !hooked("hook_in", "hook_out");
    }
}
