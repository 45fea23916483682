package org.biaslab.nn;

import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;

/** A lookup table, PyTorch's {@code nn.Embedding}: parameter {@code weight} (num, dim), initialised N(0, 1). */
public final class Embedding extends Module {
    private final int num;
    private Tensor offsets; // (E, 1, …, 1) member row offsets on the GPU, made on first use
    private int[] fixedValues; // the ids of fixed, on the host
    private Tensor fixed;

    public Embedding(int num, int dim, Init init) {
        super(init.members());
        this.num = num;
        register("weight", init.normal(1, num, dim));
    }

    /**
     * int32 ids (…) -> (…, dim); for an ensemble ids are (E, …) and member e reads its own table. Ids on the GPU are
     * shifted to their member's rows there (a captured CUDA graph cannot read them back); ids on the CPU on the host.
     */
    public Tensor forward(Tensor ids) {
        Tensor w = p("weight");
        if (members == 1) return hook("hook_out", w.embedding(ids));
        if (ids.dim(0) != members) {
            throw new org.biaslab.tensor.ShapeException("embedding: ids " + ids.shape() + " need a leading member axis of " + members);
        }
        if (ids.device() != Device.CPU) {
            if (!CudaGraph.capturing()) check(ids.toIntArray());
            return hook("hook_out", w.reshape(members * num, -1).embedding(ids.add(offsets(ids)))); // (E, …) + (E, 1, …, 1)
        }
        int[] flat = ids.toIntArray();
        check(flat);
        int per = flat.length / members;
        for (int i = 0; i < flat.length; i++) flat[i] += (i / per) * num;
        // (E, num, dim) viewed as one (E·num, dim) table, ids shifted to their member's rows
        return hook("hook_out", w.reshape(members * num, -1).embedding(Tensor.ofInts(flat, ids.shape().dims())));
    }

    private void check(int[] ids) {
        for (int id : ids) if (id < 0 || id >= num) throw new IndexOutOfBoundsException("embedding: index " + id + " out of range for a table of " + num + " rows");
    }

    /** Member e's first row e·num, shaped (E, 1, …, 1) like ids, on their device; kept, so that a captured graph finds it there. */
    private Tensor offsets(Tensor ids) {
        if (offsets == null || offsets.shape().rank() != ids.shape().rank() || offsets.device() != ids.device()) {
            int[] first = new int[members];
            for (int e = 0; e < members; e++) first[e] = e * num;
            int[] dims = new int[ids.shape().rank()];
            java.util.Arrays.fill(dims, 1);
            dims[0] = members;
            offsets = Tensor.ofInts(first, dims).to(ids.device());
        }
        return offsets;
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
