package org.biaslab.nn;

import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * P1's scratchpad model (docs/papers.md §P1.4, {@code TorchModelWithScratchpad}): an encoder-decoder {@code model}
 * (PyTorch's nn.Transformer, Post-LN, final norms) over tokens {0, 1, BOS = 2} embedded by {@code embedding}
 * (3, d/2) and one shared {@code positional_encoding} (maxLen + 1, d/2); {@code linear_head} predicts every
 * decoder position. Trained teacher-forced on the prefix parities, decoded greedily.
 */
public final class P1ScratchpadTransformer extends Module {
    public static final int BOS = 2;
    private final Embedding embedding, positional;
    private final EncoderDecoder model;
    private final Linear head;

    public P1ScratchpadTransformer(int d, int layers, int heads, int maxLen, Init init) {
        super(init.members());
        if (d % 2 != 0) throw new IllegalArgumentException("P1 scratchpad model: d must be even, got " + d);
        embedding = child("embedding", new Embedding(3, d / 2, init));
        positional = child("positional_encoding", new Embedding(maxLen + 1, d / 2, init));
        model = child("model", new EncoderDecoder(LayerConfig.torchDefault(d, heads, d), layers, init));
        head = child("linear_head", new Linear(d, 1, true, init));
    }

    /** Teacher-forced outputs (…, T) for bits (…, n) and decoder inputs [BOS, y_1, …, y_{T−1}] (…, T). */
    public Tensor forward(Tensor bits, Tensor decoderIn) {
        Tensor src = P1Inputs.embed(embedding, positional, bits, members);
        Tensor tgt = P1Inputs.embed(embedding, positional, decoderIn, members);
        Tensor out = head.forward(model.forward(src, tgt)); // (…, T, 1)
        return out.reshape(decoderIn.shape().dims());
    }

    /**
     * Greedy decoding of n outputs (threshold 0.5), the reference's {@code autoregressive_answer}, by fixed-point
     * iteration from a guess g (…, n) of the outputs: one teacher-forced pass over [BOS, g_1, …, g_{n−1}] gives p, and
     * while p ≠ g, g ← p and again. Under the causal mask p_t reads g_{&lt;t} only, so after k passes g_1 … g_k are the
     * greedy outputs: at most n passes, and one where the guess is right (the targets, for a model that decodes them),
     * where the reference runs n passes of growing length. Returns the outputs (…, n) as ints.
     */
    public Tensor autoregressive(Tensor bits, Tensor guess) {
        int[] dims = bits.shape().dims();
        if (!java.util.Arrays.equals(dims, guess.shape().dims())) {
            throw new IllegalArgumentException("greedy decoding: a guess of shape " + guess.shape() + " for bits of shape " + bits.shape());
        }
        int n = dims[dims.length - 1], rows = bits.size() / n;
        int[] g = new int[rows * n], in = new int[rows * n];
        float[] first = guess.toFloatArray();
        for (int i = 0; i < g.length; i++) g[i] = first[i] > 0.5f ? 1 : 0;
        try (var off = GradMode.off()) {
            boolean changed = true;
            for (int pass = 0; pass < n && changed; pass++) {
                for (int r = 0; r < rows; r++) {
                    in[r * n] = BOS;
                    System.arraycopy(g, r * n, in, r * n + 1, n - 1);
                }
                float[] p = forward(bits, Tensor.ofInts(in, dims)).toFloatArray();
                changed = false;
                for (int i = 0; i < g.length; i++) {
                    int v = p[i] > 0.5f ? 1 : 0;
                    if (v != g[i]) {
                        g[i] = v;
                        changed = true;
                    }
                }
            }
        }
        return Tensor.ofInts(g, dims);
    }
}
