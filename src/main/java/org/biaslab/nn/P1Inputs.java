package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/** P1's input layer: token embeddings concatenated with positional embeddings of positions 0..n−1. */
final class P1Inputs {
    private P1Inputs() {}

    /** ids (…, n) -> (…, n, d): [token embedding | positional embedding]. */
    static Tensor embed(Embedding tokens, Embedding positions, Tensor ids, int members) {
        int n = ids.dim(-1);
        int[] range = new int[members == 1 ? n : members * n];
        for (int i = 0; i < range.length; i++) range[i] = i % n;
        Tensor pos = positions.forward(members == 1 ? Tensor.ofInts(range, n) : Tensor.ofInts(range, members, n));
        Tensor tok = tokens.forward(ids); // (…, n, d/2)
        int[] target = tok.shape().dims();
        if (members > 1) {
            int[] withBatch = new int[target.length];
            java.util.Arrays.fill(withBatch, 1);
            withBatch[0] = members;
            withBatch[withBatch.length - 2] = n;
            withBatch[withBatch.length - 1] = pos.dim(-1);
            pos = pos.reshape(withBatch); // (E, 1, …, n, d/2)
        }
        return Tensor.concat(-1, tok, pos.expand(target));
    }
}
