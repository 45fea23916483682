package org.biaslab.nn.t5;

import org.biaslab.io.hf.T5Config;
import org.biaslab.nn.AttentionHeads;
import org.biaslab.nn.Embedding;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.tensor.Tensor;

/**
 * T5's attention, HuggingFace's {@code T5Attention}: bias-free {@code q}, {@code k}, {@code v} (d → H·d_kv) and
 * {@code o} (H·d_kv → d); scores q·kᵀ are <em>not</em> scaled by 1/√d_kv (T5's initialisation accounts for it) and get
 * a learned per-head bias by relative position bucket. The first block of a stack owns that table,
 * {@code relative_attention_bias} (buckets, H), and the stack shares its bias with the other blocks.
 * Hook points as {@link AttentionHeads} ({@code hook_scores} includes the position bias), plus {@code hook_in},
 * {@code hook_out}.
 */
public final class T5Attention extends AttentionHeads {
    private final T5Config c;
    private final boolean bidirectional;
    private final Linear q, k, v, o;
    private final Embedding relativeAttentionBias;

    public T5Attention(T5Config c, boolean hasRelativeBias, boolean bidirectional, Init init) {
        super(c.numHeads(), init.members());
        this.c = c;
        this.bidirectional = bidirectional;
        int inner = c.numHeads() * c.dKv();
        q = child("q", new Linear(c.dModel(), inner, false, init));
        k = child("k", new Linear(c.dModel(), inner, false, init));
        v = child("v", new Linear(c.dModel(), inner, false, init));
        o = child("o", new Linear(inner, c.dModel(), false, init));
        relativeAttentionBias = hasRelativeBias
                ? child("relative_attention_bias", new Embedding(c.relativeAttentionNumBuckets(), c.numHeads(), init)) : null;
    }

    /** The learned bias of every (query, key) pair for t queries and s keys: (H, t, s). Only on a stack's first block. */
    public Tensor positionBias(int t, int s) {
        if (relativeAttentionBias == null) throw new IllegalStateException(path() + " has no relative_attention_bias");
        int[] buckets = RelativePositionBucket.table(t, s, bidirectional, c.relativeAttentionNumBuckets(), c.relativeAttentionMaxDistance());
        return relativeAttentionBias.forward(Tensor.ofInts(buckets, t, s)).permute(2, 0, 1); // (t, s, H) -> (H, t, s)
    }

    /**
     * Queries from {@code x} (B, T, d) over keys and values from {@code memory} (B, S, d) (x itself for
     * self-attention). {@code positionBias} (H, T, S) or null; {@code attentionMask} (B, S) 1 at keys, 0 at padding,
     * or null. Returns (B, T, d).
     */
    public Tensor forward(Tensor x, Tensor memory, Tensor positionBias, boolean causal, Tensor attentionMask) {
        Tensor in = hook("hook_in", x);
        if (memory == x) memory = in;
        Tensor z = attend(q.forward(in), k.forward(memory), v.forward(memory), 1, positionBias, causal, attentionMask);
        return hook("hook_out", o.forward(z)); // (B, T, H·d_kv) -> (B, T, d)
    }
}
