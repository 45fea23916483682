package org.biaslab.nn.t5;

import org.biaslab.io.hf.T5Config;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * T5's feed-forward network, HuggingFace's {@code DenseReluDense}, without biases: wo(act(wi(x))), or the gated
 * form of T5 v1.1 (Shazeer 2020) wo(act(wi_0(x)) ⊙ wi_1(x)) when {@code feed_forward_proj} is "gated-…".
 */
public final class T5FeedForward extends Module {
    private final Activation act;
    private final Linear wi, wi0, wi1, wo;

    public T5FeedForward(T5Config c, Activation act, Init init) {
        super(init.members());
        this.act = act;
        wi = c.gatedAct() ? null : child("wi", new Linear(c.dModel(), c.dFf(), false, init));
        wi0 = c.gatedAct() ? child("wi_0", new Linear(c.dModel(), c.dFf(), false, init)) : null;
        wi1 = c.gatedAct() ? child("wi_1", new Linear(c.dModel(), c.dFf(), false, init)) : null;
        wo = child("wo", new Linear(c.dFf(), c.dModel(), false, init));
    }

    /** (B, T, d) -> (B, T, d_ff) -> (B, T, d). */
    public Tensor forward(Tensor x) {
        Tensor h = wi != null ? act.apply(wi.forward(x)) : act.apply(wi0.forward(x)).mul(wi1.forward(x));
        return wo.forward(h);
    }
}
