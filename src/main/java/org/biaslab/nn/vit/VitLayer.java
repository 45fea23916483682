package org.biaslab.nn.vit;

import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.nn.SelfAttention;
import org.biaslab.nn.SpectralAttention;
import org.biaslab.tensor.Tensor;

/**
 * One pre-LN ViT encoder layer, HuggingFace's {@code ViTLayer}: x ← x + attention(layernorm_before(x));
 * x ← x + output.dense(act(intermediate.dense(layernorm_after(x)))). Hooks {@code hook_resid_mid} and
 * {@code hook_resid_post}. The attention is {@link VitAttention} or, for the reparameterised variants,
 * {@link SpectralAttention} (same {@code attention.query}/{@code attention.key} names).
 */
public final class VitLayer extends Module {
    private final LayerNorm before, after;
    private final SelfAttention attention;
    private final Linear intermediate, output;
    private final Activation act;

    public VitLayer(VitConfig c, Activation act, Init init) {
        this(c, act, AttentionVariant.BASELINE, init);
    }

    public VitLayer(VitConfig c, Activation act, AttentionVariant variant, Init init) {
        super(init.members());
        this.act = act;
        int d = c.hiddenSize();
        attention = child("attention", variant == AttentionVariant.BASELINE ? new VitAttention(d, c.numAttentionHeads(), c.qkvBias(), init)
                : new SpectralAttention(d, c.numAttentionHeads(), c.qkvBias(), variant.spectrum(), init));
        intermediate = child("intermediate.dense", new Linear(d, c.intermediateSize(), true, init));
        output = child("output.dense", new Linear(c.intermediateSize(), d, true, init));
        before = child("layernorm_before", new LayerNorm(d, c.layerNormEps(), true, init));
        after = child("layernorm_after", new LayerNorm(d, c.layerNormEps(), true, init));
    }

    public SelfAttention attention() {
        return attention;
    }

    /** (B, T, d) -> (B, T, d), or (E, B, T, d) for an ensemble. */
    public Tensor forward(Tensor x) {
        x = hook("hook_resid_mid", x.add(attention.forward(before.forward(x))));
        Tensor h = output.forward(act.apply(intermediate.forward(after.forward(x)))); // (B, T, d) -> (B, T, d_ff) -> (B, T, d)
        return hook("hook_resid_post", x.add(h));
    }
}
