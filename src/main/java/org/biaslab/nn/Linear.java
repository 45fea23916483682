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
}
