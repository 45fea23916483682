package org.biaslab.nn.t5;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.io.hf.HfCheckpoint;
import org.biaslab.io.hf.HfConfig;
import org.biaslab.io.hf.T5Config;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Embedding;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;

/**
 * T5 (Raffel et al. 2020) as HuggingFace's {@code T5ForConditionalGeneration}: a token table {@code shared} used by
 * both stacks, the {@code encoder} and the {@code decoder} ({@link T5Stack}), and the LM head: {@code lm_head} when the
 * checkpoint has its own, else {@code shared}. Without a decoder it is {@code T5EncoderModel}. Parameter names are
 * HuggingFace's.
 */
public final class T5 extends Module implements PretrainedModel {
    private final T5Config config;
    private final Activation act;
    private final Embedding shared;
    private final T5Stack encoder, decoder;
    private final Linear lmHead;

    /** Which parts a T5 checkpoint has besides {@code shared} and the encoder. */
    public record Parts(boolean decoder, boolean lmHead) {}

    /**
     * A model with PyTorch's default initialisation of each module; {@link #random} applies HuggingFace's scheme.
     * {@code parts}: whether there is a decoder, and whether the LM head has its own weights instead of {@code shared}.
     */
    public T5(T5Config config, Activation act, Parts parts, Init init) {
        super(init.members());
        this.config = config;
        this.act = act;
        shared = child("shared", new Embedding(config.vocabSize(), config.dModel(), init));
        encoder = child("encoder", new T5Stack(config, false, act, init));
        decoder = parts.decoder() ? child("decoder", new T5Stack(config, true, act, init)) : null;
        this.lmHead = parts.lmHead() ? child("lm_head", new Linear(config.dModel(), config.vocabSize(), false, init)) : null;
    }

    /**
     * A model drawn as HuggingFace initialises T5, with f = {@code initializer_factor}: {@code shared} and
     * {@code lm_head} N(0, f²); q N(0, f²/(d·d_kv)), k and v N(0, f²/d), o N(0, f²/(H·d_kv)); wi, wi_0, wi_1
     * N(0, f²/d), wo N(0, f²/d_ff); {@code relative_attention_bias} N(0, f²/d); RMS norm weights f.
     */
    public static T5 random(T5Config c, Activation act, Parts parts, long seed) {
        Init init = Init.f32(seed);
        T5 m = new T5(c, act, parts, init);
        double f = c.initializerFactor(), d = c.dModel();
        Map<String, Tensor> fresh = new LinkedHashMap<>();
        m.namedParameters().forEach((name, t) -> {
            int[] dims = t.shape().dims();
            String leaf = name.substring(0, name.length() - ".weight".length());
            leaf = leaf.substring(leaf.lastIndexOf('.') + 1);
            fresh.put(name, switch (leaf) {
                case "layer_norm", "final_layer_norm" -> init.constant(f, dims);
                case "shared", "lm_head" -> init.normal(f, dims);
                case "q" -> init.normal(f / Math.sqrt(d * c.dKv()), dims);
                case "o" -> init.normal(f / Math.sqrt(c.numHeads() * c.dKv()), dims);
                case "wo" -> init.normal(f / Math.sqrt(c.dFf()), dims);
                default -> init.normal(f / Math.sqrt(d), dims); // k, v, wi, wi_0, wi_1, relative_attention_bias
            });
        });
        m.load(fresh);
        return m;
    }

    /**
     * Loads a checkpoint directory saved by {@code T5ForConditionalGeneration}, {@code T5Model} or
     * {@code T5EncoderModel} (no {@code decoder.*} tensors). The token table may be stored as {@code shared},
     * {@code encoder.embed_tokens} or {@code decoder.embed_tokens} (tied copies).
     */
    public static T5 load(Path dir) throws IOException {
        HfConfig hf = HfConfig.read(dir.resolve(HuggingFace.CONFIG));
        T5Config c = T5Config.from(hf);
        Activation act = HuggingFace.activation(hf, "feed_forward_proj", c.denseActFn());
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            Parts parts = new Parts(ckpt.names().stream().anyMatch(n -> n.startsWith("decoder.")), ckpt.names().contains("lm_head.weight"));
            ckpt.checkBlocks(hf, "num_layers", c.numLayers(), "", "encoder.block.");
            if (parts.decoder()) ckpt.checkBlocks(hf, "num_decoder_layers", c.numDecoderLayers(), "", "decoder.block.");
            T5 m = HuggingFace.build(hf, ckpt, init -> new T5(c, act, parts, init));
            m.load(ckpt.select(HuggingFace.shapes(m), "", Map.of("shared.weight",
                    List.of("encoder.embed_tokens.weight", "decoder.embed_tokens.weight")), n -> false));
            return m;
        }
    }

    public T5Config config() {
        return config;
    }

    @Override
    public String architecture() {
        return "t5";
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public int layers() {
        return config.numLayers() + (decoder != null ? config.numDecoderLayers() : 0);
    }

    /**
     * HuggingFace's {@code encoder_hidden_states} then {@code decoder_hidden_states}: for each stack its embedded input
     * and each block's output, the last one after the stack's {@code final_layer_norm}. An encoder-only model reads
     * no {@code decoderInputIds} and gives the encoder's list.
     */
    @Override
    public List<Tensor> hiddenStates(Input input) {
        if (input.inputIds() == null) throw new IllegalArgumentException("t5: the input needs inputIds");
        List<Tensor> enc = encoder.forward(shared.forward(input.inputIds()), input.attentionMask(), null, null);
        if (decoder == null) return enc;
        if (input.decoderInputIds() == null) throw new IllegalArgumentException("t5: the input needs decoderInputIds (P3 passes the input ids)");
        Tensor memory = enc.get(enc.size() - 1); // (B, S, d)
        List<Tensor> hidden = new ArrayList<>(enc);
        hidden.addAll(decoder.forward(shared.forward(input.decoderInputIds()), null, memory, input.attentionMask()));
        return hidden;
    }

    /**
     * Logits (B, T, V) for the decoder positions: the decoder output, times d^-½ when {@code scale_decoder_outputs}
     * (formerly {@code tie_word_embeddings}), times the head ({@code lm_head}, else {@code shared})ᵀ.
     */
    public Tensor logits(Input input) {
        if (decoder == null) throw new IllegalStateException("t5: an encoder-only model has no decoder to give logits");
        List<Tensor> h = hiddenStates(input);
        Tensor out = h.get(h.size() - 1);
        if (config.scaleDecoderOutputs()) out = out.mul(1 / Math.sqrt(config.dModel()));
        Module head = lmHead != null ? lmHead : shared;
        return out.matmulT(head.namedParameters().get("weight")); // (B, T, d) x (V, d)ᵀ -> (B, T, V)
    }

    @Override
    public T5 randomInit(long seed) {
        return random(config, act, new Parts(decoder != null, lmHead != null), seed);
    }
}
