package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * HuggingFace's {@code Conv1D} (GPT-2's projections): a linear layer whose {@code weight} is stored (in, out), the
 * transpose of {@link Linear}'s, with {@code bias} (out). Initialised as HF's: weight N(0, 0.02²), bias 0.
 */
public final class Conv1D extends Module {
    public Conv1D(int in, int out, Init init) {
        super(init.members());
        register("weight", init.normal(0.02, in, out));
        register("bias", init.constant(0, out));
    }

    /** (…, in) -> (…, out); with an ensemble the leading axis is the member axis. */
    public Tensor forward(Tensor x) {
        Tensor in = hook("hook_in", x), w = p("weight");
        int[] dims = in.shape().dims();
        dims[dims.length - 1] = w.dim(-1);
        Tensor y = members == 1
                ? in.reshape(-1, w.dim(-2)).matmul(w).add(p("bias")) // (N, in) x (in, out) -> (N, out)
                : in.reshape(members, -1, w.dim(-2)).matmul(w).add(p("bias").unsqueeze(1)); // (E, N, in) x (E, in, out)
        return hook("hook_out", y.reshape(dims));
    }
}
