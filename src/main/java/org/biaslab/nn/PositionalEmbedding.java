package org.biaslab.nn;

import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;

/**
 * Position information for token embeddings (…, T, d_tok): a learned table added (BERT, GPT-2, ViT) or
 * concatenated (P1), or the fixed sinusoids of Vaswani et al. added. Learned tables are the parameter
 * {@code weight} (maxLen, dim), initialised N(0, 1) as PyTorch's Embedding.
 */
public final class PositionalEmbedding extends Module {
    /** How positions enter. */
    public enum Kind { LEARNED_ADDED, LEARNED_CONCAT, SINUSOIDAL }

    private final Kind kind;
    private final int dim;
    private final Embedding table;

    public PositionalEmbedding(Kind kind, int maxLen, int dim, Init init) {
        super(init.members());
        this.kind = kind;
        this.dim = dim;
        this.table = kind == Kind.SINUSOIDAL ? null : child("table", new Embedding(maxLen, dim, init));
    }

    /** tokens (…, T, d_tok) -> (…, T, d_tok) when added, (…, T, d_tok + dim) when concatenated. */
    public Tensor forward(Tensor tokens) {
        int t = tokens.dim(-2);
        if (kind == Kind.SINUSOIDAL) {
            if (tokens.dim(-1) != dim) throw new org.biaslab.tensor.ShapeException("positions: tokens " + tokens.shape() + " need width " + dim);
            return hook("hook_out", tokens.add(sinusoids(t, dim).to(tokens.dtype())));
        }
        Tensor pos = rows(table, t, members, tokens.shape().rank(), Device.CPU);
        if (kind == Kind.LEARNED_ADDED) return hook("hook_out", tokens.add(pos));
        int[] target = tokens.shape().dims();
        target[target.length - 1] = dim;
        return hook("hook_out", Tensor.concat(-1, tokens, pos.expand(target)));
    }

    /**
     * Rows 0..t−1 of a position table shaped to broadcast against tokens of rank {@code rank}: (t, dim) for one
     * member, (E, 1, …, 1, t, dim) for an ensemble whose tokens are (E, B, …, t, d).
     */
    static Tensor rows(Embedding table, int t, int members, int rank, Device idsOn) {
        int[] range = new int[members * t];
        for (int i = 0; i < range.length; i++) range[i] = i % t;
        int[] dims = members == 1 ? new int[] {t} : new int[] {members, t};
        // with the tokens' ids on the GPU, the positions' ids are kept there too (a captured graph cannot copy them in)
        Tensor pos = table.forward(idsOn == Device.CPU ? Tensor.ofInts(range, dims) : table.fixedIds(range, dims));
        if (members == 1) return pos;
        dims = new int[rank];
        java.util.Arrays.fill(dims, 1);
        dims[0] = members;
        dims[rank - 2] = t;
        dims[rank - 1] = pos.dim(-1);
        return pos.reshape(dims);
    }

    /** PE[t, 2i] = sin(t / 10000^(2i/d)), PE[t, 2i+1] = cos(t / 10000^(2i/d)), as (T, d) float64. */
    public static Tensor sinusoids(int t, int d) {
        double[] pe = new double[t * d];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < d; i += 2) {
                double angle = p / Math.pow(10000, (double) i / d);
                pe[p * d + i] = Math.sin(angle);
                if (i + 1 < d) pe[p * d + i + 1] = Math.cos(angle);
            }
        }
        return Tensor.of(pe, t, d);
    }
}
