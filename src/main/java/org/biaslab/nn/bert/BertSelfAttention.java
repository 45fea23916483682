package org.biaslab.nn.bert;

import org.biaslab.nn.AttentionHeads;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.tensor.Tensor;

/**
 * HuggingFace's {@code BertSelfAttention}: separate {@code query}, {@code key}, {@code value} projections, scores
 * scaled by 1/√d_head, padded keys masked. Hook points as {@link AttentionHeads} ({@code hook_q} … {@code hook_z}),
 * plus {@code hook_in} and {@code hook_out}, the merged heads (B, T, d) before {@code attention.output.dense}.
 */
public final class BertSelfAttention extends AttentionHeads {
    private final Linear query, key, value;
    private final double scale;

    public BertSelfAttention(BertConfig c, Init init) {
        super(c.numAttentionHeads(), init.members());
        int d = c.hiddenSize();
        query = child("query", new Linear(d, d, true, init));
        key = child("key", new Linear(d, d, true, init));
        value = child("value", new Linear(d, d, true, init));
        scale = 1 / Math.sqrt(c.headDim());
    }

    /** (B, T, d) -> (B, T, d); {@code attentionMask} (B, T) is 1 at tokens, 0 at padding, or null. */
    public Tensor forward(Tensor x, Tensor attentionMask) {
        Tensor in = hook("hook_in", x);
        return hook("hook_out", attend(query.forward(in), key.forward(in), value.forward(in), scale, null, false, attentionMask));
    }
}
