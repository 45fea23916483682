package org.biaslab.nn;

import java.util.ArrayList;
import java.util.List;
import org.biaslab.tensor.Tensor;

/**
 * A stack of encoder layers ({@code layers.0}, {@code layers.1}, …) with an optional final LayerNorm
 * ({@code norm}), PyTorch's {@code nn.TransformerEncoder}. As PyTorch, which deep-copies one layer, all layers
 * start with the same parameters when {@code cloneFirstLayer} is set.
 */
public final class Encoder extends Module {
    private final List<EncoderLayer> layers = new ArrayList<>();
    private final LayerNorm norm;

    public Encoder(LayerConfig c, int numLayers, boolean finalNorm, boolean cloneFirstLayer, Init init) {
        super(init.members());
        for (int i = 0; i < numLayers; i++) {
            EncoderLayer layer = child("layers." + i, new EncoderLayer(c, init));
            if (cloneFirstLayer && i > 0) layer.load(layers.get(0).namedParameters());
            layers.add(layer);
        }
        norm = finalNorm ? child("norm", new LayerNorm(c.d(), c.eps(), true, init)) : null;
    }

    public List<EncoderLayer> layers() {
        return layers;
    }

    public Tensor forward(Tensor x, boolean causal, Tensor keyPadding) {
        for (EncoderLayer layer : layers) x = layer.forward(x, causal, keyPadding);
        return norm == null ? x : norm.forward(x);
    }

    /**
     * The output at the last position, (…, T, d) -> (…, 1, d): the last layer runs {@link EncoderLayer#forwardLast},
     * so a model read out there skips the rest of that layer's rows.
     */
    public Tensor forwardLast(Tensor x, boolean causal, Tensor keyPadding) {
        return forwardLast(x, null, false, causal, keyPadding);
    }

    /**
     * As {@link #forwardLast(Tensor, boolean, Tensor)}, the first layer's input projections by {@code maps} (null: the
     * products), and with {@code inInputSpace} the last layer's attention without projecting its other rows.
     */
    Tensor forwardLast(Tensor x, Projections maps, boolean inInputSpace, boolean causal, Tensor keyPadding) {
        int last = layers.size() - 1;
        if (last < 0) return x.slice(-2, x.dim(-2) - 1, x.dim(-2));
        for (int i = 0; i < last; i++) {
            x = layers.get(i).forward(x, i == 0 ? maps : null, causal, keyPadding);
        }
        x = layers.get(last).forwardLast(x, last == 0 ? maps : null, inInputSpace, causal, keyPadding);
        return norm == null ? x : norm.forward(x);
    }
}
