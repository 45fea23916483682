package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * PyTorch's {@code nn.TransformerEncoderLayer} without dropout: {@code self_attn}, {@code linear1},
 * {@code linear2}, {@code norm1}, {@code norm2}. Post-LN: x ← norm1(x + SA(x)); x ← norm2(x + FF(x)).
 * Pre-LN: x ← x + SA(norm1(x)); x ← x + FF(norm2(x)). Hooks {@code hook_resid_mid} (after the attention block)
 * and {@code hook_resid_post} (the residual stream after the layer).
 */
public final class EncoderLayer extends Module {
    private final LayerConfig c;
    private final MultiheadAttention selfAttn;
    private final Linear linear1, linear2;
    private final LayerNorm norm1, norm2;

    public EncoderLayer(LayerConfig c, Init init) {
        super(init.members());
        this.c = c;
        selfAttn = child("self_attn", new MultiheadAttention(c.d(), c.heads(), c.bias(), init));
        linear1 = child("linear1", new Linear(c.d(), c.ffn(), c.bias(), init));
        linear2 = child("linear2", new Linear(c.ffn(), c.d(), c.bias(), init));
        norm1 = child("norm1", new LayerNorm(c.d(), c.eps(), true, init));
        norm2 = child("norm2", new LayerNorm(c.d(), c.eps(), true, init));
    }

    /** The layer's sizes and LayerNorm placement. */
    public LayerConfig config() {
        return c;
    }

    /** (…, T, d) -> (…, T, d); {@code keyPadding} (B, T) may be null. */
    public Tensor forward(Tensor x, boolean causal, Tensor keyPadding) {
        return forward(x, null, causal, keyPadding);
    }

    /**
     * As {@link #forward(Tensor, boolean, Tensor)}, x's projections computed by {@code maps} (null: the products). Post-LN
     * only: a Pre-LN layer projects norm1(x), so it ignores them.
     */
    Tensor forward(Tensor x, Projections maps, boolean causal, Tensor keyPadding) {
        if (c.normFirst()) {
            Tensor h = norm1.forward(x);
            x = hook("hook_resid_mid", x.add(selfAttn.forward(h, h, causal, keyPadding)));
            return hook("hook_resid_post", x.add(feedForward(norm2.forward(x))));
        }
        x = hook("hook_resid_mid", residualNorm1(x, x, maps, false, causal, keyPadding));
        return hook("hook_resid_post", norm2.afterResidual(x, linear2, hidden(x)));
    }

    /**
     * The layer's output at the last position only, (…, T, d) -> (…, 1, d): that query attends over keys and
     * values from all T positions, and everything after attention runs on one row. The same values as
     * {@code forward(x, …)} at position T − 1; its hook points see the last row only.
     */
    public Tensor forwardLast(Tensor x, boolean causal, Tensor keyPadding) {
        return forwardLast(x, null, false, causal, keyPadding);
    }

    /**
     * As {@link #forwardLast(Tensor, boolean, Tensor)}, computed other ways with the same values: x's projections by
     * {@code maps} (null: the products; Post-LN only), and with {@code inInputSpace} the last row's attention without
     * projecting the other rows (MultiheadAttention's one-query path).
     */
    Tensor forwardLast(Tensor x, Projections maps, boolean inInputSpace, boolean causal, Tensor keyPadding) {
        int t = x.dim(-2);
        Tensor last = x.slice(-2, t - 1, t); // (…, 1, d)
        if (c.normFirst()) {
            Tensor h = norm1.forward(x);
            last = hook("hook_resid_mid", last.add(selfAttn.forward(h.slice(-2, t - 1, t), h, null, inInputSpace, causal, keyPadding)));
            return hook("hook_resid_post", last.add(feedForward(norm2.forward(last))));
        }
        last = hook("hook_resid_mid", residualNorm1(last, x, maps, inInputSpace, causal, keyPadding));
        return hook("hook_resid_post", norm2.afterResidual(last, linear2, hidden(last)));
    }

    /**
     * Post-LN's norm1(x + SA(x, memory)): where no hook sees the attention's output, its output projection's bias, the
     * residual and the norm are one op ({@link LayerNorm#afterResidual}).
     */
    private Tensor residualNorm1(Tensor x, Tensor memory, Projections maps, boolean inInputSpace, boolean causal, Tensor keyPadding) {
        if (!selfAttn.fusable()) return norm1.forward(x.add(selfAttn.forward(x, memory, maps, inInputSpace, causal, keyPadding)));
        return norm1.afterResidual(x, selfAttn.outProj(), selfAttn.mix(x, memory, maps, inInputSpace, causal, keyPadding));
    }

    private Tensor feedForward(Tensor x) {
        return linear2.forward(hidden(x)); // (…, d) -> (…, ffn) -> (…, d)
    }

    /** The feed-forward's hidden layer (…, ffn): ReLU's bias add and ReLU one op where linear1 is unhooked. */
    private Tensor hidden(Tensor x) {
        if (c.activation() == Activation.RELU && linear1.fusable()) return linear1.product(x).biasRelu(linear1.bias());
        return c.activation().apply(linear1.forward(x));
    }
}
