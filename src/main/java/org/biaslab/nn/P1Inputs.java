package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/** P1's input layer: token embeddings concatenated with positional embeddings of positions 0..n−1. */
final class P1Inputs {
    private P1Inputs() {}

    /** ids (…, n) -> (…, n, d): [token embedding | positional embedding]. */
    static Tensor embed(Embedding tokens, Embedding positions, Tensor ids, int members) {
        Tensor tok = tokens.forward(ids); // (…, n, d/2)
        Tensor pos = PositionalEmbedding.rows(positions, ids.dim(-1), members, tok.shape().rank(), ids.device());
        int[] target = tok.shape().dims();
        target[target.length - 1] = pos.dim(-1);
        return Tensor.concat(-1, tok, pos.expand(target));
    }
}
