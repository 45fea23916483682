package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/** A fully connected layer, PyTorch's {@code nn.Linear}: parameters {@code weight} (out, in) and {@code bias} (out). */
public final class Linear extends Module {
    public Linear(int in, int out, boolean bias, Init init) {
        super(init.members());
        register("weight", init.kaimingUniform(out, in));
        if (bias) register("bias", init.uniform(1 / Math.sqrt(in), out));
    }

    /** (…, in) -> (…, out); with an ensemble the leading axis is the member axis. */
    public Tensor forward(Tensor x) {
        return hook("hook_out", Affine.apply(hook("hook_in", x), p("weight"), p("bias"), members));
    }

    /**
     * x Wᵀ without the bias, for a caller that adds the bias in its next op (a fused one): only where {@link #fusable},
     * since no hook sees this layer's input or output then.
     */
    Tensor product(Tensor x) {
        return Affine.apply(x, p("weight"), null, members);
    }

    /** The bias (out) or (E, out). */
    Tensor bias() {
        return p("bias");
    }

    /** Whether the layer has a bias and no hook on its points, so that its bias may join the next op. */
    boolean fusable() {
        return p("bias") != null && !hooked("hook_in", "hook_out");
    }
}
