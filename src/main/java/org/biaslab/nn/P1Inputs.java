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

    /**
     * The affine maps of {@link #embed}'s x = [tok[ids] | pos] without a product over its rows: with W = [W_tok | W_pos]
     * split along its input, x Wᵀ + b = (tok W_tokᵀ)[ids] + (pos W_posᵀ + b), so the product runs over the token table's
     * 2 rows and the n positions instead of the batch's B·n rows (about a third of P1's training FLOPs at L = 2). The
     * same values up to float rounding: sums in another order.
     */
    static Projections projections(Embedding tokens, Embedding positions, Tensor ids, int members) {
        Tensor tok = tokens.p("weight"); // (2, d/2) or (E, 2, d/2)
        int n = ids.dim(-1), half = tok.dim(-1);
        // (n, d/2) or (E, n, d/2)
        Tensor pos = PositionalEmbedding.rows(positions, n, members, members == 1 ? 2 : 3, ids.device());
        return (w, b) -> {
            Tensor tokW = Affine.apply(tok, w.slice(-1, 0, half), null, members); // (…, 2, out)
            Tensor posW = Affine.apply(pos, w.slice(-1, half, 2 * half), b, members); // (…, n, out)
            return tokW.embeddingAdd(ids, posW); // (B, n, out) + (n, out), or (E, B, n, out) + (E, 1, n, out)
        };
    }
}
