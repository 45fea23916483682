package org.biaslab.nn.t5;

import org.biaslab.io.hf.T5Config;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.nn.RmsNorm;
import org.biaslab.tensor.Tensor;

/**
 * One T5 block with HuggingFace's names, pre-norm with RMS norms ({@code layer_norm}):
 * {@code layer.0} self-attention (causal in the decoder), in the decoder {@code layer.1} cross-attention
 * ({@code EncDecAttention}) over the encoder output, then the feed-forward layer ({@code DenseReluDense}), each as
 * x ← x + sublayer(layer_norm(x)). Hook {@code hook_resid_post}: the block's output.
 */
public final class T5Block extends Module {
    private final boolean decoder;
    private final RmsNorm selfNorm, crossNorm, ffNorm;
    private final T5Attention selfAttention, encDecAttention;
    private final T5FeedForward ff;

    public T5Block(T5Config c, boolean decoder, boolean first, Activation act, Init init) {
        super(init.members());
        this.decoder = decoder;
        selfAttention = child("layer.0.SelfAttention", new T5Attention(c, first, !decoder, init));
        selfNorm = child("layer.0.layer_norm", new RmsNorm(c.dModel(), c.layerNormEpsilon(), init));
        encDecAttention = decoder ? child("layer.1.EncDecAttention", new T5Attention(c, false, true, init)) : null;
        crossNorm = decoder ? child("layer.1.layer_norm", new RmsNorm(c.dModel(), c.layerNormEpsilon(), init)) : null;
        String f = decoder ? "layer.2." : "layer.1.";
        ff = child(f + "DenseReluDense", new T5FeedForward(c, act, init));
        ffNorm = child(f + "layer_norm", new RmsNorm(c.dModel(), c.layerNormEpsilon(), init));
    }

    T5Attention selfAttention() {
        return selfAttention;
    }

    /**
     * x (B, T, d) -> (B, T, d). {@code positionBias} (H, T, T) from the stack's first block; {@code mask} (B, T) or
     * null; {@code memory} (B, S, d) and {@code memoryMask} (B, S) for a decoder block.
     */
    public Tensor forward(Tensor x, Tensor positionBias, Tensor mask, Tensor memory, Tensor memoryMask) {
        Tensor h = selfNorm.forward(x);
        x = x.add(selfAttention.forward(h, h, positionBias, decoder, mask));
        if (decoder) x = x.add(encDecAttention.forward(crossNorm.forward(x), memory, null, false, memoryMask));
        return hook("hook_resid_post", x.add(ff.forward(ffNorm.forward(x))));
    }
}
