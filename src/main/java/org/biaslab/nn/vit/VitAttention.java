package org.biaslab.nn.vit;

import org.biaslab.nn.AttentionHeads;
import org.biaslab.nn.SelfAttention;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.tensor.Tensor;

/**
 * ViT's self-attention with HuggingFace's names: {@code attention.query}, {@code attention.key},
 * {@code attention.value} (biases with {@code qkv_bias}) and {@code output.dense}; scores scaled by 1/√d_head, no mask.
 * Hook points as {@link AttentionHeads}, plus {@code hook_in} and {@code hook_out}.
 */
public final class VitAttention extends SelfAttention {
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

    /** (B, T, d) -> (B, T, d), or (E, B, T, d) for an ensemble. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor in = hook("hook_in", x);
        Tensor z = attend(query.forward(in), key.forward(in), value.forward(in), scale, null, false, null);
        return hook("hook_out", dense.forward(z));
    }

    /**
     * H_h = W_V^h W_O^h, (H, d, d) or (E, H, d, d): W_V^h = {@code value.weight}[h rows]ᵀ (d, d_head) and W_O^h =
     * {@code output.dense.weight}[:, h columns]ᵀ (d_head, d); the value bias is left out.
     */
    @Override
    public Tensor valueOutputMaps() {
        Tensor wv = value.namedParameters().get("weight"), wo = dense.namedParameters().get("weight"); // (…, d, d), (out, in)
        int h = heads(), d = wv.dim(-1), dh = d / h;
        Tensor vT = (members == 1 ? wv.reshape(h, dh, d) : wv.reshape(members, h, dh, d)).transpose(-2, -1); // (…, H, d, dh)
        Tensor oT = members == 1 ? wo.reshape(d, h, dh).permute(1, 2, 0) : wo.reshape(members, d, h, dh).permute(0, 2, 3, 1); // (…, H, dh, d)
        return vT.matmul(oT); // (…, H, d, dh) x (…, H, dh, d) -> (…, H, d, d)
    }
}
