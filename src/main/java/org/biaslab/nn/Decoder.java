package org.biaslab.nn;

import java.util.ArrayList;
import java.util.List;
import org.biaslab.tensor.Tensor;

/** A stack of decoder layers ({@code layers.0}, …) with an optional final LayerNorm ({@code norm}). */
public final class Decoder extends Module {
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final LayerNorm norm;

    public Decoder(LayerConfig c, int numLayers, boolean finalNorm, boolean cloneFirstLayer, Init init) {
        super(init.members());
        for (int i = 0; i < numLayers; i++) {
            DecoderLayer layer = child("layers." + i, new DecoderLayer(c, init));
            if (cloneFirstLayer && i > 0) layer.load(layers.get(0).namedParameters());
            layers.add(layer);
        }
        norm = finalNorm ? child("norm", new LayerNorm(c.d(), c.eps(), true, init)) : null;
    }

    public Tensor forward(Tensor x, Tensor memory) {
        for (DecoderLayer layer : layers) x = layer.forward(x, memory);
        return norm == null ? x : norm.forward(x);
    }
}
