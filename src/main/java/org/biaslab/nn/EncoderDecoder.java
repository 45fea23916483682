package org.biaslab.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.tensor.Tensor;

/**
 * PyTorch's {@code nn.Transformer}: an {@code encoder} and a {@code decoder}, each with a final LayerNorm. Like
 * PyTorch it re-initialises every weight matrix with Xavier-uniform after building the (cloned) layers, so layers
 * end up different while biases and LN parameters keep their clone values.
 */
public final class EncoderDecoder extends Module {
    private final Encoder encoder;
    private final Decoder decoder;

    public EncoderDecoder(LayerConfig c, int numLayers, Init init) {
        super(init.members());
        encoder = child("encoder", new Encoder(c, numLayers, true, true, init));
        decoder = child("decoder", new Decoder(c, numLayers, true, true, init));
        Map<String, Tensor> fresh = new LinkedHashMap<>();
        int matrixRank = init.members() == 1 ? 2 : 3;
        for (var e : namedParameters().entrySet()) {
            Tensor t = e.getValue();
            fresh.put(e.getKey(), t.shape().rank() == matrixRank ? init.xavierUniform(t.dim(-2), t.dim(-1)) : t);
        }
        load(fresh);
    }

    /** Decoder outputs (…, T, d) for source embeddings (…, S, d) and shifted target embeddings (…, T, d). */
    public Tensor forward(Tensor src, Tensor tgt) {
        return decoder.forward(tgt, encoder.forward(src, false, null));
    }
}
