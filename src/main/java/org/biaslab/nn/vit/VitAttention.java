package org.biaslab.nn.vit;

import org.biaslab.nn.AttentionHeads;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.tensor.Tensor;

/**
 * ViT's self-attention with HuggingFace's names: {@code attention.query}, {@code attention.key},
 * {@code attention.value} (biases with {@code qkv_bias}) and {@code output.dense}; scores scaled by 1/√d_head, no mask.
 * Hook points as {@link AttentionHeads}, plus {@code hook_in} and {@code hook_out}.
 */
public final class VitAttention extends AttentionHeads {
    private final double scale;
    private final Linear query, key, value, dense;

    public VitAttention(int d, int heads, boolean qkvBias, Init init) {
        super(heads, init.members());
        scale = 1 / Math.sqrt(d / heads);
        query = child("attention.query", new Linear(d, d, qkvBias, init));
        key = child("attention.key", new Linear(d, d, qkvBias, init));
        value = child("attention.value", new Linear(d, d, qkvBias, init));
        dense = child("output.dense", new Linear(d, d, true, init));
    }

    /** (B, T, d) -> (B, T, d). */
    public Tensor forward(Tensor x) {
        Tensor in = hook("hook_in", x);
        Tensor z = attend(query.forward(in), key.forward(in), value.forward(in), scale, null, false, null);
        return hook("hook_out", dense.forward(z));
    }
}
