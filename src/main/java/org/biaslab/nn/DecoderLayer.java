package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * PyTorch's {@code nn.TransformerDecoderLayer} without dropout: causal {@code self_attn}, cross-attention
 * {@code multihead_attn} over the encoder's memory, {@code linear1}, {@code linear2}, {@code norm1..3}.
 * Post-LN: x ← norm1(x + SA(x)); x ← norm2(x + CA(x, m)); x ← norm3(x + FF(x)); Pre-LN puts each norm first.
 */
public final class DecoderLayer extends Module {
    private final LayerConfig c;
    private final MultiheadAttention selfAttn, crossAttn;
    private final Linear linear1, linear2;
    private final LayerNorm norm1, norm2, norm3;

    public DecoderLayer(LayerConfig c, Init init) {
        super(init.members());
        this.c = c;
        selfAttn = child("self_attn", new MultiheadAttention(c.d(), c.heads(), c.bias(), init));
        crossAttn = child("multihead_attn", new MultiheadAttention(c.d(), c.heads(), c.bias(), init));
        linear1 = child("linear1", new Linear(c.d(), c.ffn(), c.bias(), init));
        linear2 = child("linear2", new Linear(c.ffn(), c.d(), c.bias(), init));
        norm1 = child("norm1", new LayerNorm(c.d(), c.eps(), true, init));
        norm2 = child("norm2", new LayerNorm(c.d(), c.eps(), true, init));
        norm3 = child("norm3", new LayerNorm(c.d(), c.eps(), true, init));
    }

    /** The layer's sizes and LayerNorm placement. */
    public LayerConfig config() {
        return c;
    }

    /** Decoder states (…, T, d) attending causally to themselves and fully to {@code memory} (…, S, d). */
    public Tensor forward(Tensor x, Tensor memory) {
        if (c.normFirst()) {
            Tensor h = norm1.forward(x);
            x = x.add(selfAttn.forward(h, h, true, null));
            x = x.add(crossAttn.forward(norm2.forward(x), memory, false, null));
            return hook("hook_resid_post", x.add(feedForward(norm3.forward(x))));
        }
        x = norm1.forward(x.add(selfAttn.forward(x, x, true, null)));
        x = norm2.forward(x.add(crossAttn.forward(x, memory, false, null)));
        return hook("hook_resid_post", norm3.forward(x.add(feedForward(x))));
    }

    private Tensor feedForward(Tensor x) {
        return linear2.forward(c.activation().apply(linear1.forward(x)));
    }
}
