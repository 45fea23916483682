package org.biaslab.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.biaslab.io.FormatException;
import org.biaslab.io.hf.HfCheckpoint;
import org.biaslab.io.hf.HfConfig;
import org.biaslab.nn.bert.BertConfig;
import org.biaslab.nn.bert.BertModel;
import org.biaslab.nn.gpt2.Gpt2;
import org.biaslab.nn.t5.T5;
import org.biaslab.nn.vit.Vit;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Shape;

/** Loading HuggingFace checkpoint directories (config.json + safetensors) into biaslab's modules. */
public final class HuggingFace {
    private HuggingFace() {}

    /** The config file of a checkpoint directory. */
    public static final String CONFIG = "config.json";

    /** Loads the model in {@code dir}, chosen by its config's {@code model_type}: "bert", "gpt2", "vit" or "t5". */
    public static PretrainedModel load(Path dir) throws IOException {
        HfConfig config = HfConfig.read(dir.resolve(CONFIG));
        return switch (config.modelType()) {
            case "bert" -> loadBert(dir, config);
            case "gpt2" -> Gpt2.load(dir);
            case "vit" -> Vit.load(dir);
            case "t5" -> T5.load(dir);
            default -> throw config.error("model_type", "is \"" + config.modelType() + "\"; biaslab loads bert, gpt2, vit and t5 from safetensors");
        };
    }

    /**
     * A BERT checkpoint saved by {@code BertModel} or a BERT task model (names with or without {@code bert.}, LayerNorm
     * γ and β also as {@code gamma} and {@code beta}); the pooler, task heads ({@code cls.*}, {@code classifier.*}) and
     * the {@code embeddings.position_ids} buffer are skipped.
     */
    private static BertModel loadBert(Path dir, HfConfig hf) throws IOException {
        BertConfig c = bertConfig(hf);
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            ckpt.checkBlocks(hf, "num_hidden_layers", c.numHiddenLayers(), "bert.", "encoder.layer.");
            BertModel m = build(hf, ckpt, init -> new BertModel(c, init));
            m.load(ckpt.select(shapes(m), "bert.", legacyLayerNormNames(m), n -> n.startsWith("pooler.") || n.startsWith("cls.")
                    || n.startsWith("classifier.") || n.equals("embeddings.position_ids")));
            return m;
        }
    }

    /**
     * Builds the model that {@code config} describes for the checkpoint {@code ckpt}, with placeholders that the
     * checkpoint replaces. The loaders check the config's block count against the checkpoint first; a config that
     * still asks for more parameters than the checkpoint holds stops here, an error naming config.json, before the
     * model's memory is allocated (not an OutOfMemoryError after minutes).
     */
    public static <M extends Module> M build(HfConfig config, HfCheckpoint ckpt, Function<Init, M> model) throws FormatException {
        try {
            return model.apply(Init.forCheckpoint(DType.F32, ckpt.values()));
        } catch (IllegalArgumentException e) {
            throw new FormatException(config.path(), "the model it configures does not fit the checkpoint: " + e.getMessage());
        }
    }

    /**
     * LayerNorm parameters under their TensorFlow-era names ({@code LayerNorm.gamma}, {@code LayerNorm.beta}), still
     * found in checkpoints such as bert-base-uncased, which HuggingFace renames on load.
     */
    private static Map<String, List<String>> legacyLayerNormNames(Module m) {
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        for (String n : m.namedParameters().keySet()) {
            if (n.endsWith("LayerNorm.weight")) aliases.put(n, List.of(n.replaceFirst("weight$", "gamma")));
            if (n.endsWith("LayerNorm.bias")) aliases.put(n, List.of(n.replaceFirst("bias$", "beta")));
        }
        return aliases;
    }

    /** The fields of a BERT config.json, with HuggingFace's {@code BertConfig} defaults (bert-base-uncased). */
    static BertConfig bertConfig(HfConfig c) throws FormatException {
        c.requireType("bert");
        String positions = c.string("position_embedding_type", "absolute");
        if (!positions.equals("absolute")) throw c.error("position_embedding_type", "= \"" + positions + "\"; only \"absolute\" is supported");
        if (c.bool("is_decoder", false)) throw c.error("is_decoder", "is true: BERT as a decoder is not supported");
        int d = c.positive("hidden_size", 768), heads = c.positive("num_attention_heads", 12);
        if (d % heads != 0) throw c.error("num_attention_heads", "= " + heads + " does not divide hidden_size = " + d);
        int vocab = c.positive("vocab_size", 30522), pad = c.integer("pad_token_id", 0);
        if (pad < 0 || pad >= vocab) throw c.error("pad_token_id", "= " + pad + " is outside the vocabulary of " + vocab);
        return new BertConfig(vocab, d, c.positive("num_hidden_layers", 12), heads, c.positive("intermediate_size", 3072),
                activation(c, "hidden_act", c.string("hidden_act", "gelu")), c.positive("max_position_embeddings", 512),
                c.positive("type_vocab_size", 2), c.nonNegative("layer_norm_eps", 1e-12), c.nonNegative("initializer_range", 0.02), pad);
    }

    /** The parameter shapes of {@code m} by name: what a checkpoint must provide. */
    public static Map<String, Shape> shapes(Module m) {
        Map<String, Shape> out = new LinkedHashMap<>();
        m.namedParameters().forEach((n, t) -> out.put(n, t.shape()));
        return out;
    }

    /** The activation named by config field {@code field}; an unknown name is an error naming the file and field. */
    public static Activation activation(HfConfig config, String field, String name) throws FormatException {
        try {
            return Activation.parse(name);
        } catch (IllegalArgumentException e) {
            throw config.error(field, "= \"" + name + "\" is not a supported activation (relu, gelu, gelu_new, silu)");
        }
    }
}
