package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * The per-head core of multi-head attention, shared by {@link MultiheadAttention} and the modules that keep
 * HuggingFace's own projections (GPT-2's {@code c_attn}, ViT's {@code query/key/value}, T5's {@code q/k/v/o}). Hook
 * points: {@code hook_q}, {@code hook_k}, {@code hook_v} (…, H, T, d_head), {@code hook_scores} (…, H, T, S) after
 * scaling, position bias and masking, {@code hook_pattern} and {@code hook_z} (…, H, T, d_head).
 * <p>
 * Without a position bias, a padding mask or a hook on these points, and where the device takes the sizes, the
 * heads run as one fused op ({@link Tensor#attention}); otherwise they are composed from matmul and softmax, which
 * is what the hooks observe.
 */
public abstract class AttentionHeads extends Module {
    /**
     * What masked scores are set to: float32's lowest value, as HuggingFace does, so a query whose keys are all masked
     * (a left-padded position) attends uniformly instead of producing NaN.
     */
    /** The score of a masked key: float32's lowest value, weight exactly 0 after the softmax even at c = 1000. */
    protected static final double MASKED = -Float.MAX_VALUE;

    private static final String[] POINTS = {"hook_q", "hook_k", "hook_v", "hook_scores", "hook_pattern", "hook_z"};

    private final int heads;

    protected AttentionHeads(int heads, int members) {
        super(members);
        this.heads = heads;
    }

    public int heads() {
        return heads;
    }

    /** Whether a hook listens on one of the per-head points (the composed path runs then, which they observe). */
    protected final boolean headsHooked() {
        return hooked(POINTS);
    }

    /**
     * softmax(scale · q kᵀ + bias) v per head. {@code q} (…, T, H·dh), {@code k} and {@code v} (…, S, H·dh);
     * {@code bias} broadcasts to (…, H, T, S) or is null; {@code causal} hides keys after the query;
     * {@code attentionMask} (B, S) is HuggingFace's: 1 at keys to attend to, 0 at padding (null: none).
     * Returns the merged heads (…, T, H·dh), before the output projection.
     */
    protected final Tensor attend(Tensor q, Tensor k, Tensor v, double scale, Tensor bias, boolean causal, Tensor attentionMask) {
        return attend(q, k, v, scale, bias, causal ? MASKED : Double.NaN, attentionMask);
    }

    /**
     * As {@link #attend(Tensor, Tensor, Tensor, double, Tensor, boolean, Tensor)}, the scores of keys after the query
     * set to {@code causalFill} (NaN: no causal mask). P3's reference sets them to 0 (its quirk 1), which lets a query
     * see later keys.
     */
    protected final Tensor attend(Tensor q, Tensor k, Tensor v, double scale, Tensor bias, double causalFill, Tensor attentionMask) {
        boolean causal = !Double.isNaN(causalFill);
        if (bias == null && attentionMask == null && (!causal || causalFill == MASKED) && !hooked(POINTS)
                && Tensor.fitsFusedAttention(q, k, v, heads)) {
            return Tensor.attention(q, k, v, heads, scale, causal);
        }
        q = hook("hook_q", q.splitHeads(heads)); // (…, H, T, dh)
        k = hook("hook_k", k.splitHeads(heads)); // (…, H, S, dh)
        v = hook("hook_v", v.splitHeads(heads));
        Tensor scores = q.matmulT(k); // (…, H, T, dh) x (…, H, S, dh)ᵀ -> (…, H, T, S)
        if (scale != 1) scores = scores.mul(scale);
        if (bias != null) scores = scores.add(bias);
        int t = scores.dim(-2), s = scores.dim(-1);
        if (causal) scores = scores.maskedFill(Tensor.causalMask(t, s, scores.dtype()), causalFill);
        if (attentionMask != null) {
            if (attentionMask.dim(-1) != s) {
                throw new IllegalArgumentException("attention mask " + attentionMask.shape() + " does not match " + s + " keys");
            }
            // (B, S) -> (B, 1, 1, S), 1 where a key is padding: broadcast over heads and queries
            Tensor padding = attentionMask.to(scores.dtype()).lt(0.5).reshape(attentionMask.dim(0), 1, 1, s);
            scores = scores.maskedFill(padding, MASKED);
        }
        scores = hook("hook_scores", scores);
        Tensor pattern = hook("hook_pattern", scores.softmax(-1));
        Tensor z = hook("hook_z", pattern.matmul(v)); // (…, H, T, S) x (…, H, S, dh) -> (…, H, T, dh)
        return z.mergeHeads();
    }
}
