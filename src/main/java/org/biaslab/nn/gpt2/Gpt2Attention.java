package org.biaslab.nn.gpt2;

import org.biaslab.nn.AttentionHeads;
import org.biaslab.nn.Conv1D;
import org.biaslab.nn.Init;
import org.biaslab.tensor.Tensor;

/**
 * GPT-2's causal self-attention: {@code c_attn} (d → 3d, packed q, k, v) and {@code c_proj} (d → d), both Conv1D.
 * Scores are scaled by 1/√d_head ({@code scale_attn_weights}) and by 1/(layer + 1) with
 * {@code scale_attn_by_inverse_layer_idx}. Hook points as {@link AttentionHeads}, plus {@code hook_in}, {@code hook_out}.
 */
public final class Gpt2Attention extends AttentionHeads {
    private final int d;
    private final double scale;
    private final Conv1D cAttn, cProj;

    public Gpt2Attention(int d, int heads, double scale, Init init) {
        super(heads, init.members());
        this.d = d;
        this.scale = scale;
        cAttn = child("c_attn", new Conv1D(d, 3 * d, init));
        cProj = child("c_proj", new Conv1D(d, d, init));
    }

    /** (B, T, d) -> (B, T, d); {@code attentionMask} (B, T) is 1 at tokens, 0 at padding, or null. */
    public Tensor forward(Tensor x, Tensor attentionMask) {
        Tensor qkv = cAttn.forward(hook("hook_in", x)); // (B, T, d) x (d, 3d) -> (B, T, 3d)
        Tensor q = qkv.slice(-1, 0, d), k = qkv.slice(-1, d, 2 * d), v = qkv.slice(-1, 2 * d, 3 * d);
        Tensor z = attend(q, k, v, scale, null, true, attentionMask); // (B, T, d)
        return hook("hook_out", cProj.forward(z));
    }
}
