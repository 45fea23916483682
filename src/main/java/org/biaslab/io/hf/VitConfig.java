package org.biaslab.io.hf;

import org.biaslab.io.FormatException;

/**
 * The fields of a ViT {@code config.json} that the model needs, with HuggingFace's {@code ViTConfig} defaults
 * (ViT-Base/16 at 224×224: d 768, 12 layers, 12 heads, MLP 3072, exact GELU, LayerNorm eps 1e-12).
 */
public record VitConfig(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize, String hiddenAct,
                        double layerNormEps, int imageSize, int patchSize, int numChannels, boolean qkvBias,
                        double initializerRange) {
    public static VitConfig from(HfConfig c) throws FormatException {
        c.requireType("vit");
        int d = c.positive("hidden_size", 768), heads = c.positive("num_attention_heads", 12);
        if (d % heads != 0) throw c.error("num_attention_heads", "= " + heads + " does not divide hidden_size = " + d);
        int image = c.positive("image_size", 224), patch = c.positive("patch_size", 16);
        if (image % patch != 0) throw c.error("patch_size", "= " + patch + " does not divide image_size = " + image);
        long side = image / patch;
        if (side * side + 1 > Integer.MAX_VALUE) {
            throw c.error("image_size", "= " + image + " with patch_size = " + patch + " gives " + side * side + " patches, more than 2^31-2");
        }
        return new VitConfig(d, c.positive("num_hidden_layers", 12), heads, c.positive("intermediate_size", 3072),
                c.string("hidden_act", "gelu"), c.nonNegative("layer_norm_eps", 1e-12), image, patch,
                c.positive("num_channels", 3), c.bool("qkv_bias", true), c.nonNegative("initializer_range", 0.02));
    }

    /** Patches per image: (image_size / patch_size)². */
    public int patches() {
        int side = imageSize / patchSize;
        return side * side;
    }
}
