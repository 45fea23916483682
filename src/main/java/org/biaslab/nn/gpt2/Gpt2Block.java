package org.biaslab.nn.gpt2;

import org.biaslab.io.hf.Gpt2Config;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Conv1D;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * One pre-LN GPT-2 block, HuggingFace's {@code GPT2Block}: x ← x + attn(ln_1(x)); x ← x + mlp(ln_2(x)) with
 * mlp = {@code mlp.c_proj}(act({@code mlp.c_fc}(x))). Hooks {@code hook_resid_mid} (after attention) and
 * {@code hook_resid_post} (the block's output).
 */
public final class Gpt2Block extends Module {
    private final LayerNorm ln1, ln2;
    private final Gpt2Attention attn;
    private final Conv1D cFc, cProj;
    private final Activation act;

    public Gpt2Block(Gpt2Config c, int layer, Activation act, Init init) {
        super(init.members());
        this.act = act;
        double scale = (c.scaleAttnWeights() ? 1 / Math.sqrt(c.nEmbd() / c.nHead()) : 1)
                / (c.scaleAttnByInverseLayerIdx() ? layer + 1 : 1);
        ln1 = child("ln_1", new LayerNorm(c.nEmbd(), c.layerNormEpsilon(), true, init));
        attn = child("attn", new Gpt2Attention(c.nEmbd(), c.nHead(), scale, init));
        ln2 = child("ln_2", new LayerNorm(c.nEmbd(), c.layerNormEpsilon(), true, init));
        cFc = child("mlp.c_fc", new Conv1D(c.nEmbd(), c.nInner(), init));
        cProj = child("mlp.c_proj", new Conv1D(c.nInner(), c.nEmbd(), init));
    }

    /** (B, T, d) -> (B, T, d). */
    public Tensor forward(Tensor x, Tensor attentionMask) {
        x = hook("hook_resid_mid", x.add(attn.forward(ln1.forward(x), attentionMask)));
        Tensor h = cProj.forward(act.apply(cFc.forward(ln2.forward(x)))); // (B, T, d) -> (B, T, d_inner) -> (B, T, d)
        return hook("hook_resid_post", x.add(h));
    }
}
