package org.biaslab.nn.lm;

import java.util.function.UnaryOperator;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * One layer of P3's language model ({@code SiLayer}): causal self-attention {@code attention}, then the ReLU
 * feed-forward {@code linear2}(ReLU({@code linear1}(x))), each wrapped by its LayerNorm ({@code norm1},
 * {@code norm2}) as the {@link LmVariant} says. Hooks {@code hook_resid_mid} (after the attention block) and
 * {@code hook_resid_post} (after the layer).
 */
public final class LmLayer extends Module {
    private final LmVariant variant;
    private final CausalSelfAttention attention;
    private final Linear linear1, linear2;
    private final LayerNorm norm1, norm2;

    public LmLayer(LmConfig c, Init init) {
        super(init.members());
        variant = c.variant();
        attention = child("attention", new CausalSelfAttention(c.d(), c.heads(), c.bias(), c.zeroMask(), init));
        linear1 = child("linear1", new Linear(c.d(), c.ffn(), c.bias(), init));
        linear2 = child("linear2", new Linear(c.ffn(), c.d(), c.bias(), init));
        norm1 = child("norm1", new LayerNorm(c.d(), 1e-5, true, init));
        norm2 = child("norm2", new LayerNorm(c.d(), 1e-5, true, init));
    }

    /** (…, T, d) -> (…, T, d); {@code attentionMask} (B, T) may be null. */
    public Tensor forward(Tensor x, Tensor attentionMask) {
        x = hook("hook_resid_mid", block(x, norm1, h -> attention.forward(h, attentionMask)));
        return hook("hook_resid_post", block(x, norm2, h -> linear2.forward(linear1.forward(h).relu()))); // (…, d) -> (…, ffn) -> (…, d)
    }

    private Tensor block(Tensor x, LayerNorm norm, UnaryOperator<Tensor> f) {
        return switch (variant) {
            case CONTROL -> norm.forward(x.add(f.apply(x)));
            case PRE_NORM -> norm.forward(f.apply(x)).add(x);
            case PRE_LN -> x.add(f.apply(norm.forward(x)));
        };
    }
}
