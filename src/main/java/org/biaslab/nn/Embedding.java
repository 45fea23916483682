package org.biaslab.nn;

import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;

/** A lookup table, PyTorch's {@code nn.Embedding}: parameter {@code weight} (num, dim), initialised N(0, 1). */
public final class Embedding extends Module {
    private final int num;
    private int[] fixedValues; // the ids of fixed, on the host
    private Tensor fixed;

    public Embedding(int num, int dim, Init init) {
        super(init.members());
        this.num = num;
        register("weight", init.normal(1, num, dim));
    }

    /**
     * int32 ids (…) -> (…, dim); for an ensemble ids are (E, …) and member e reads its own table (E, num, dim). Ids
     * on the GPU are range-checked there only outside a captured CUDA graph, which cannot read them back.
     */
    public Tensor forward(Tensor ids) {
        Tensor w = p("weight");
        if (members > 1 && (ids.shape().rank() == 0 || ids.dim(0) != members)) {
            throw new org.biaslab.tensor.ShapeException("embedding: ids " + ids.shape() + " need a leading member axis of " + members);
        }
        return hook("hook_out", w.embedding(ids)); // (num, dim) or (E, num, dim) at (…) or (E, …) -> (…, dim) or (E, …, dim)
    }

    /**
     * The same ids at every call (positions 0 … t − 1, shaped {@code dims}) as a tensor on the table's device, kept
     * while they repeat: a captured CUDA graph cannot copy them in.
     */
    Tensor fixedIds(int[] values, int... dims) {
        Device on = p("weight").device();
        if (!java.util.Arrays.equals(values, fixedValues) || !fixed.shape().equals(org.biaslab.tensor.Shape.of(dims)) || fixed.device() != on) {
            fixed = Tensor.ofInts(values, dims).to(on);
            fixedValues = values.clone();
        }
        return fixed;
    }
}
