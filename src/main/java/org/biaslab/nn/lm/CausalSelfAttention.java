package org.biaslab.nn.lm;

import org.biaslab.nn.AttentionHeads;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.tensor.Tensor;

/**
 * P3's multi-head self-attention ({@code SiMultiHead} with {@code SiSelfAttention} heads): {@code query}, {@code key},
 * {@code value} Linear(d, d) hold the H heads' Linear(d, d_head) stacked by rows (the same PyTorch initialisation,
 * whose bound 1/√d depends on the input width only), scores scaled by 1/√d_head and masked causally with −∞, or,
 * with {@code zeroMask}, multiplied by 0 as the reference does (its quirk 1: later keys keep weight e⁰ and a query sees
 * them), then the {@code pooler} Linear(d, d). Hook points are those of {@link AttentionHeads}.
 */
public final class CausalSelfAttention extends AttentionHeads {
    private final Linear query, key, value, pooler;
    private final int dHead;
    private final boolean zeroMask;

    public CausalSelfAttention(int d, int heads, boolean bias, boolean zeroMask, Init init) {
        super(heads, init.members());
        if (d % heads != 0) throw new IllegalArgumentException("attention: d = " + d + " is not divisible by " + heads + " heads");
        dHead = d / heads;
        this.zeroMask = zeroMask;
        query = child("query", new Linear(d, d, bias, init));
        key = child("key", new Linear(d, d, bias, init));
        value = child("value", new Linear(d, d, bias, init));
        pooler = child("pooler", new Linear(d, d, bias, init));
    }

    /** (…, T, d) -> (…, T, d); {@code attentionMask} (B, T) is 1 at real tokens, 0 at padding, or null. */
    public Tensor forward(Tensor x, Tensor attentionMask) {
        Tensor q = query.forward(x), k = key.forward(x), v = value.forward(x); // (…, T, d) x (d, d)ᵀ -> (…, T, d)
        Tensor z = attend(q, k, v, 1 / Math.sqrt(dHead), null, zeroMask ? 0 : MASKED, attentionMask); // (…, T, H·dh)
        return pooler.forward(z);
    }
}
