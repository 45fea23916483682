package org.biaslab.io.hf;

import org.biaslab.io.FormatException;

/**
 * The fields of a GPT-2 {@code config.json} that the model needs, with HuggingFace's {@code GPT2Config} defaults
 * (GPT-2 small: 50257 tokens, 1024 positions, d 768, 12 layers, 12 heads).
 *
 * @param nInner the MLP width, {@code n_inner} or 4·d when null
 * @param activation {@code activation_function}, "gelu_new" (tanh GELU) by default
 */
public record Gpt2Config(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, int nInner, String activation,
                         double layerNormEpsilon, double initializerRange, boolean scaleAttnWeights,
                         boolean scaleAttnByInverseLayerIdx) {
    public static Gpt2Config from(HfConfig c) throws FormatException {
        c.requireType("gpt2");
        if (!c.bool("tie_word_embeddings", true)) throw c.error("tie_word_embeddings", "is false: GPT-2 with an lm_head apart from wte is not supported");
        if (c.bool("add_cross_attention", false)) throw c.error("add_cross_attention", "is true: GPT-2 with cross-attention is not supported");
        int d = c.positive("n_embd", 768), heads = c.positive("n_head", 12);
        if (d % heads != 0) throw c.error("n_head", "= " + heads + " does not divide n_embd = " + d);
        if (c.absent("n_inner") && d > Integer.MAX_VALUE / 4) throw c.error("n_embd", "= " + d + " makes the default n_inner = 4 n_embd exceed 2^31-1");
        return new Gpt2Config(c.positive("vocab_size", 50257), c.positive("n_positions", 1024), d,
                c.positive("n_layer", 12), heads, c.positive("n_inner", 4 * d),
                c.string("activation_function", "gelu_new"), c.nonNegative("layer_norm_epsilon", 1e-5),
                c.nonNegative("initializer_range", 0.02), c.bool("scale_attn_weights", true),
                c.bool("scale_attn_by_inverse_layer_idx", false));
    }
}
