package org.biaslab.nn.bert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.io.tf.BundleBytes;
import org.biaslab.io.tf.BundleBytes.Spec;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * A small BERT with its MLM head and every parameter random (biases and LayerNorm too, so a swapped name shows), and
 * its checkpoint under Google's TensorFlow names, kernels stored (in, out), with the variables a real checkpoint also
 * holds (pooler, next-sentence head, global_step, Adam slots).
 */
public final class TinyBertTf {
    private TinyBertTf() {}

    /** d = 64 so that Google's d_head = 64 gives one head without a bert_config.json. */
    public static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "capital", "of",
            "france", "is", "paris", ".", "lyon", "city", "a", "river", "##s", "big", "small", "in", "europe", "and", "it", "on");
    public static final BertConfig CONFIG = new BertConfig(VOCAB.size(), 64, 2, 1, 32, Activation.GELU_TANH, 16, 2, 1e-12, 0.02, 0);

    public static BertForMaskedLm model(long seed) {
        BertModel bert = new BertModel(CONFIG, Init.forLoading(DType.F32));
        BertMlmHead head = new BertMlmHead(CONFIG, Init.forLoading(DType.F32));
        Init init = new Init(DType.F32, seed);
        bert.load(random(bert.namedParameters(), init));
        head.load(random(head.namedParameters(), init));
        return new BertForMaskedLm(bert, head);
    }

    private static Map<String, Tensor> random(Map<String, Tensor> params, Init init) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            Tensor v = init.normal(0.3, p.shape().dims());
            out.put(name, name.endsWith("LayerNorm.weight") ? v.add(Tensor.scalar(DType.F32, 1)) : v);
        });
        return out;
    }

    /** Writes {@code m} as checkpoint {@code prefix} with TF names under {@code scope} ("" or TF Hub's "module/"). */
    public static void write(BertForMaskedLm m, Path prefix, boolean withHead, String scope) throws IOException {
        Map<String, Spec> specs = new LinkedHashMap<>();
        m.bert().namedParameters().forEach((name, t) -> put(specs, scope + "bert/" + tfName(name), t));
        if (withHead) {
            m.head().namedParameters().forEach((name, t) -> put(specs, scope + "cls/predictions/"
                    + (name.equals("bias") ? "output_bias" : tfName(name)), t));
        }
        int d = m.bert().config().hiddenSize();
        Tensor square = Tensor.of(new float[d * d], d, d);
        put(specs, scope + "bert/pooler/dense/kernel", square);
        put(specs, scope + "bert/encoder/layer_0/attention/self/query/kernel/adam_m", square);
        put(specs, scope + "cls/seq_relationship/output_bias", Tensor.of(new float[] {1, 2}, 2));
        specs.put("global_step", new Spec(9, new long[] {}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array(), 0));
        BundleBytes.write(prefix, 1, specs);
    }

    /** The vocabulary as a {@code vocab.txt} in {@code dir}. */
    public static void writeVocab(Path dir) throws IOException {
        Files.write(dir.resolve("vocab.txt"), VOCAB);
    }

    /** encoder.layer.1.attention.self.query.weight -> encoder/layer_1/attention/self/query/kernel (a Linear's weight). */
    private static String tfName(String hf) {
        String n = hf.replaceAll("layer\\.(\\d+)", "layer_$1").replace('.', '/');
        if (n.endsWith("_embeddings/weight")) return n.substring(0, n.length() - "/weight".length());
        if (n.endsWith("LayerNorm/weight")) return n.replaceFirst("weight$", "gamma");
        if (n.endsWith("LayerNorm/bias")) return n.replaceFirst("bias$", "beta");
        return n.replaceFirst("weight$", "kernel");
    }

    private static void put(Map<String, Spec> specs, String name, Tensor t) {
        boolean kernel = name.endsWith("/kernel") || name.endsWith("/adam_m");
        Tensor stored = kernel ? t.transpose(0, 1) : t; // Linear's (out, in) -> TF's (in, out)
        long[] shape = java.util.Arrays.stream(stored.shape().dims()).asLongStream().toArray();
        specs.put(name, new Spec(1, shape, BundleBytes.f32(stored.toFloatArray()), 0));
    }
}
