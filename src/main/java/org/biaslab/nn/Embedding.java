package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/** A lookup table, PyTorch's {@code nn.Embedding}: parameter {@code weight} (num, dim), initialised N(0, 1). */
public final class Embedding extends Module {
    private final int num;

    public Embedding(int num, int dim, Init init) {
        super(init.members());
        this.num = num;
        register("weight", init.normal(1, num, dim));
    }

    /** int32 ids (…) -> (…, dim); for an ensemble ids are (E, …) and member e reads its own table. */
    public Tensor forward(Tensor ids) {
        Tensor w = p("weight");
        if (members == 1) return hook("hook_out", w.embedding(ids));
        if (ids.dim(0) != members) {
            throw new org.biaslab.tensor.ShapeException("embedding: ids " + ids.shape() + " need a leading member axis of " + members);
        }
        int[] flat = ids.toIntArray();
        int per = flat.length / members;
        for (int i = 0; i < flat.length; i++) {
            if (flat[i] < 0 || flat[i] >= num) throw new IndexOutOfBoundsException("embedding: index " + flat[i] + " out of range for a table of " + num + " rows");
            flat[i] += (i / per) * num;
        }
        // (E, num, dim) viewed as one (E·num, dim) table, ids shifted to their member's rows
        return hook("hook_out", w.reshape(members * num, -1).embedding(Tensor.ofInts(flat, ids.shape().dims())));
    }
}
