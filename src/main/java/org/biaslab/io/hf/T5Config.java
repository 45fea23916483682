package org.biaslab.io.hf;

import org.biaslab.io.FormatException;

/**
 * The fields of a T5 {@code config.json} that the model needs, with HuggingFace's {@code T5Config} defaults (t5-small:
 * 32128 tokens, d 512, d_kv 64, d_ff 2048, 6 + 6 layers, 8 heads, 32 buckets up to distance 128, ReLU).
 *
 * @param denseActFn the feed-forward activation: the part of {@code feed_forward_proj} after "gated-", with HF's
 *     quirk that "gated-gelu" means the tanh GELU ("gelu_new")
 * @param gatedAct whether {@code feed_forward_proj} starts with "gated-" (act(x W_0) ⊙ x W_1)
 * @param scaleDecoderOutputs whether the decoder output is scaled by d^-½ before the LM head:
 *     {@code scale_decoder_outputs} (transformers ≥ 5), else the legacy {@code tie_word_embeddings}
 */
public record T5Config(int vocabSize, int dModel, int dKv, int dFf, int numLayers, int numDecoderLayers, int numHeads,
                       int relativeAttentionNumBuckets, int relativeAttentionMaxDistance, double layerNormEpsilon,
                       String denseActFn, boolean gatedAct, boolean scaleDecoderOutputs, double initializerFactor) {
    public static T5Config from(HfConfig c) throws FormatException {
        c.requireType("t5");
        String proj = c.string("feed_forward_proj", "relu");
        String[] parts = proj.split("-");
        if (parts.length > 2 || parts.length == 2 && !parts[0].equals("gated") || parts[parts.length - 1].isEmpty()) {
            throw c.error("feed_forward_proj", "= \"" + proj + "\" is neither \"ACT\" nor \"gated-ACT\" (e.g. \"relu\", \"gated-gelu\")");
        }
        String act = proj.equals("gated-gelu") ? "gelu_new" : parts[parts.length - 1];
        int layers = c.positive("num_layers", 6);
        boolean scale = c.absent("scale_decoder_outputs") ? c.bool("tie_word_embeddings", true) : c.bool("scale_decoder_outputs", true);
        int dKv = c.positive("d_kv", 64), heads = c.positive("num_heads", 8);
        if ((long) dKv * heads > Integer.MAX_VALUE) throw c.error("d_kv", "= " + dKv + " times num_heads = " + heads + " exceeds 2^31-1");
        return new T5Config(c.positive("vocab_size", 32128), c.positive("d_model", 512), dKv,
                c.positive("d_ff", 2048), layers, c.positive("num_decoder_layers", layers), heads,
                c.positive("relative_attention_num_buckets", 32), c.positive("relative_attention_max_distance", 128),
                c.nonNegative("layer_norm_epsilon", 1e-6), act, parts.length == 2, scale, c.nonNegative("initializer_factor", 1.0));
    }
}
