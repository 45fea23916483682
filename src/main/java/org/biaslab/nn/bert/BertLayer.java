package org.biaslab.nn.bert;

import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * HuggingFace's {@code BertLayer}, Post-LN: x ← LN(x + dense(SA(x))); x ← LN(x + dense(act(dense(x)))). Children
 * by HuggingFace path: {@code attention.self}, {@code attention.output.dense}, {@code attention.output.LayerNorm},
 * {@code intermediate.dense}, {@code output.dense}, {@code output.LayerNorm}. Hooks {@code hook_resid_mid} (after
 * the attention block's LayerNorm) and {@code hook_resid_post} (the layer's output).
 */
public final class BertLayer extends Module {
    private final BertSelfAttention self;
    private final Linear attentionDense, intermediate, outputDense;
    private final LayerNorm attentionNorm, outputNorm;
    private final Activation act;

    public BertLayer(BertConfig c, Init init) {
        super(init.members());
        int d = c.hiddenSize(), ffn = c.intermediateSize();
        self = child("attention.self", new BertSelfAttention(c, init));
        attentionDense = child("attention.output.dense", new Linear(d, d, true, init));
        attentionNorm = child("attention.output.LayerNorm", new LayerNorm(d, c.layerNormEps(), true, init));
        intermediate = child("intermediate.dense", new Linear(d, ffn, true, init));
        outputDense = child("output.dense", new Linear(ffn, d, true, init));
        outputNorm = child("output.LayerNorm", new LayerNorm(d, c.layerNormEps(), true, init));
        act = c.hiddenAct();
    }

    /** (B, T, d) -> (B, T, d); {@code attentionMask} (B, T) is 1 at tokens, 0 at padding, or null. */
    public Tensor forward(Tensor x, Tensor attentionMask) {
        x = hook("hook_resid_mid", attentionNorm.forward(x.add(attentionDense.forward(self.forward(x, attentionMask)))));
        Tensor h = act.apply(intermediate.forward(x));                       // (B, T, d) -> (B, T, ffn)
        return hook("hook_resid_post", outputNorm.forward(x.add(outputDense.forward(h)))); // (B, T, ffn) -> (B, T, d)
    }
}
