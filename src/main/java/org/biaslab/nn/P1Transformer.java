package org.biaslab.nn;

import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;

/**
 * The model of Hahn & Rofin (docs/papers.md §P1.4, their {@code TorchModel}): bits embedded by {@code embedding}
 * (2, d/2) concatenated with a learned {@code positional_encoding} (maxLen, d/2), a Post-LN encoder
 * {@code encoders} of L layers (FFN width d, ReLU, no final norm, layers cloned at init as PyTorch does), and
 * {@code linear_head} (d → 1) read at the last position. Defaults: d = 128, L = 2, H = 2, maxLen = 1024.
 */
public final class P1Transformer extends Module {
    private final Embedding embedding, positional;
    private final Encoder encoders;
    private final Linear head;
    /**
     * Rows (members × batch × n) from which the model is computed the cheaper ways (the first layer's projected tables,
     * the last layer's attention in its input's space): a third of the arithmetic for more, smaller device ops, which
     * pays on the CPU and for a GPU ensemble, not below a few thousand rows or for one model on a GPU, whose step (and
     * Hessian-vector product: about 60 more ops) is bound by kernel launches.
     */
    private static final int TABLE_ROWS = 4096;

    public P1Transformer(int d, int layers, int heads, int maxLen, Init init) {
        super(init.members());
        if (d % 2 != 0) throw new IllegalArgumentException("P1 model: d must be even (token and position halves), got " + d);
        embedding = child("embedding", new Embedding(2, d / 2, init));
        positional = child("positional_encoding", new Embedding(maxLen, d / 2, init));
        encoders = child("encoders", new Encoder(LayerConfig.torchDefault(d, heads, d), layers, false, true, init));
        head = child("linear_head", new Linear(d, 1, true, init));
    }

    /** The paper's defaults: d 128, 2 layers, 2 heads, positions up to 1024. */
    public static P1Transformer defaults(Init init) {
        return new P1Transformer(128, 2, 2, 1024, init);
    }

    public Encoder encoder() {
        return encoders;
    }

    /** Bits (B, n) (or (E, B, n) for an ensemble) as int32 0/1 -> one real output per input, (B) or (E, B). */
    public Tensor forward(Tensor bits) {
        Tensor x = P1Inputs.embed(embedding, positional, bits, members); // (…, n, d)
        int n = x.dim(-2);
        // hooks see every position of every layer, as in the reference model; without such hooks the last layer
        // computes the readout row alone (the same values; about a third of the training FLOPs less at L = 2), and
        // where arithmetic bounds the step the first layer projects its tables and the last attends in its input's
        // space (docs/gpu.md, issue #18's section)
        Tensor h; // (…, 1, d) at the last position
        if (hooks().anyOfEveryRow()) {
            h = encoders.forward(x, false, null).slice(-2, n - 1, n);
        } else {
            boolean rewrite = bits.size() >= TABLE_ROWS && (members > 1 || x.device() == Device.CPU);
            Projections maps = rewrite ? P1Inputs.projections(embedding, positional, bits, members) : null;
            h = encoders.forwardLast(x, maps, rewrite, false, null);
        }
        Tensor out = head.forward(h); // (…, 1, 1)
        int[] dims = bits.shape().dims();
        return out.reshape(java.util.Arrays.copyOf(dims, dims.length - 1));
    }
}
