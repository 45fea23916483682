package org.biaslab.nn.t5;

import java.util.ArrayList;
import java.util.List;
import org.biaslab.io.hf.T5Config;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.nn.RmsNorm;
import org.biaslab.tensor.Tensor;

/** T5's encoder or decoder: blocks {@code block.0 … L-1} ({@link T5Block}) and a {@code final_layer_norm}. */
public final class T5Stack extends Module {
    private final List<T5Block> blocks = new ArrayList<>();
    private final RmsNorm finalLayerNorm;

    public T5Stack(T5Config c, boolean decoder, Activation act, Init init) {
        super(init.members());
        int n = decoder ? c.numDecoderLayers() : c.numLayers();
        for (int i = 0; i < n; i++) blocks.add(child("block." + i, new T5Block(c, decoder, i == 0, act, init)));
        finalLayerNorm = child("final_layer_norm", new RmsNorm(c.dModel(), c.layerNormEpsilon(), init));
    }

    /**
     * HuggingFace's hidden states of the stack for embedded inputs x (B, T, d): x, then each block's output, the last
     * one after {@code final_layer_norm} (the stack's output). {@code memory} and {@code memoryMask}: see
     * {@link T5Block#forward}.
     */
    public List<Tensor> forward(Tensor x, Tensor mask, Tensor memory, Tensor memoryMask) {
        int t = x.dim(-2);
        Tensor bias = blocks.get(0).selfAttention().positionBias(t, t); // (H, T, T), shared by all blocks
        List<Tensor> hidden = new ArrayList<>(List.of(x));
        for (T5Block b : blocks) hidden.add(x = b.forward(x, bias, mask, memory, memoryMask));
        hidden.set(blocks.size(), finalLayerNorm.forward(x));
        return hidden;
    }
}
