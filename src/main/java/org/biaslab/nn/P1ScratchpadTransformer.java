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

    /** Greedy decoding of n outputs (threshold 0.5), as the reference's {@code autoregressive_answer}. */
    public Tensor autoregressive(Tensor bits) {
        int[] dims = bits.shape().dims();
        int n = dims[dims.length - 1], rows = bits.size() / n;
        int[] y = new int[rows]; // decoder inputs, growing by one column per step
        java.util.Arrays.fill(y, BOS);
        int t = 1;
        try (var off = GradMode.off()) {
            for (int step = 0; step < n; step++) {
                int[] shape = dims.clone();
                shape[shape.length - 1] = t;
                Tensor out = forward(bits, Tensor.ofInts(y, shape));
                float[] last = out.slice(-1, t - 1, t).toFloatArray();
                int[] next = new int[rows * (t + 1)];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(y, r * t, next, r * (t + 1), t);
                    next[r * (t + 1) + t] = last[r] > 0.5f ? 1 : 0;
                }
                y = next;
                t++;
            }
        }
        int[] answer = new int[rows * n];
        for (int r = 0; r < rows; r++) System.arraycopy(y, r * (n + 1) + 1, answer, r * n, n);
        return Tensor.ofInts(answer, dims);
    }
}
