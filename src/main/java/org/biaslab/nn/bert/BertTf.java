package org.biaslab.nn.bert;

import com.fasterxml.jackson.databind.JsonNode;
import org.biaslab.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.tf.TfCheckpoint;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * Maps a TensorFlow BERT checkpoint (Google's {@code modeling.py} names, also under a TF Hub {@code module/} scope)
 * onto biaslab's BERT: {@code bert/encoder/layer_3/attention/self/query/kernel} becomes
 * {@code encoder.layer.3.attention.self.query.weight}, transposed from TF's (in, out) to Linear's (out, in);
 * {@code LayerNorm/gamma}, {@code beta} become {@code weight}, {@code bias}; the embedding tables gain {@code .weight}.
 * With {@code cls/predictions/*} present the result is a {@link BertForMaskedLm} ({@code output_bias} becomes the
 * head's {@code bias}, the decoder is the word embeddings); the pooler, the next-sentence head, {@code global_step}
 * and Adam's slots are skipped.
 *
 * <p>The checkpoint does not record the head count, activation or LayerNorm eps. They come from a
 * {@code bert_config.json} beside the checkpoint or its directory (Google's release layout) where there is one, else
 * from what every Google BERT uses: d_head = 64, Google's GELU (the tanh approximation in {@code modeling.py} and in
 * the TF Hub graphs), and eps = 1e-12 ({@code tf.contrib.layers.layer_norm}'s).
 */
public final class BertTf {
    private BertTf() {}

    private static final String HEAD = "cls.predictions.";

    /** Loads the checkpoint {@code path} names ({@link TfCheckpoint#open}); a {@link BertForMaskedLm} when it has the head. */
    public static PretrainedModel load(Path path) throws IOException {
        try (TfCheckpoint ckpt = TfCheckpoint.open(path)) {
            try {
                Map<String, Tensor> encoder = new LinkedHashMap<>(), head = new LinkedHashMap<>();
                for (String tf : ckpt.entries().keySet()) {
                    String name = hfName(tf);
                    if (name == null) continue;
                    Tensor v = ckpt.tensor(tf);
                    if (tf.endsWith("/kernel")) v = v.transpose(0, 1); // (in, out) -> (out, in)
                    if (name.startsWith(HEAD)) head.put(name.substring(HEAD.length()), v);
                    else encoder.put(name, v);
                }
                BertConfig c = config(ckpt.path(), encoder);
                BertModel bert = new BertModel(c, Init.forLoading(DType.F32));
                bert.load(encoder);
                if (head.isEmpty()) return bert;
                BertMlmHead mlm = new BertMlmHead(c, Init.forLoading(DType.F32));
                mlm.load(head);
                return new BertForMaskedLm(bert, mlm);
            } catch (IllegalArgumentException e) {
                throw new FormatException(ckpt.path(), "not a BERT checkpoint biaslab can map: " + e.getMessage(), e);
            }
        }
    }

    /** HuggingFace's name for TF variable {@code tf}, or null for one biaslab does not load. */
    static String hfName(String tf) {
        String n = tf.replaceFirst("^module/", "");
        if (n.equals("global_step") || n.endsWith("/adam_m") || n.endsWith("/adam_v") || n.startsWith("bert/pooler/")
                || n.startsWith("cls/seq_relationship/")) return null;
        n = n.replaceFirst("^bert/", "").replaceAll("layer_(\\d+)", "layer.$1").replace('/', '.');
        if (n.equals("cls.predictions.output_bias")) return HEAD + "bias";
        if (n.endsWith(".kernel") || n.endsWith(".gamma")) return n.substring(0, n.lastIndexOf('.')) + ".weight";
        if (n.endsWith(".beta")) return n.substring(0, n.lastIndexOf('.')) + ".bias";
        if (n.endsWith("_embeddings")) return n + ".weight";
        return n;
    }

    /** Sizes from the tensors' shapes; heads and activation from a {@code bert_config.json} if there is one. */
    static BertConfig config(Path index, Map<String, Tensor> w) throws IOException {
        Tensor word = require(w, "embeddings.word_embeddings.weight");
        int d = word.dim(1), layers = 0;
        while (w.containsKey("encoder.layer." + layers + ".attention.self.query.weight")) layers++;
        if (layers == 0) throw new IllegalArgumentException("no variable bert/encoder/layer_0/attention/self/query/kernel");
        int heads = d / 64;
        Activation act = Activation.GELU_TANH;
        Path json = bertConfig(index);
        if (json != null) {
            JsonNode j = Json.readObject(json);
            heads = j.path("num_attention_heads").asInt(heads);
            String hiddenAct = j.path("hidden_act").asText("gelu");
            if (!hiddenAct.equals("gelu")) act = Activation.parse(hiddenAct); // modeling.py's "gelu" is the tanh form
        }
        return new BertConfig(word.dim(0), d, layers, heads, require(w, "encoder.layer.0.intermediate.dense.weight").dim(0), act,
                require(w, "embeddings.position_embeddings.weight").dim(0), require(w, "embeddings.token_type_embeddings.weight").dim(0),
                1e-12, 0.02, 0);
    }

    /** {@code bert_config.json} in the index's directory or the one above (a SavedModel's {@code variables/}), or null. */
    private static Path bertConfig(Path index) {
        Path dir = index.toAbsolutePath().getParent();
        for (Path d : new Path[] {dir, dir.getParent()}) {
            if (d != null && Files.isRegularFile(d.resolve("bert_config.json"))) return d.resolve("bert_config.json");
        }
        return null;
    }

    private static Tensor require(Map<String, Tensor> w, String name) {
        Tensor t = w.get(name);
        if (t == null) throw new IllegalArgumentException("no variable maps to '" + name + "'");
        return t;
    }
}
