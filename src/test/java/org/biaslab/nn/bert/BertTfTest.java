package org.biaslab.nn.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.tf.BundleBytes;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A BERT saved under TensorFlow's names loads back into the same parameters, and the MLM head computes its formula. */
class BertTfTest {
    @TempDir
    Path tmp;

    private static final Tensor IDS = Tensor.ofInts(new int[] {2, 5, 6, 7, 8, 9, 4, 11, 3}, 1, 9);

    @Test
    void namesMapOntoHuggingFace() {
        assertEquals("encoder.layer.3.attention.self.query.weight", BertTf.hfName("module/bert/encoder/layer_3/attention/self/query/kernel"));
        assertEquals("encoder.layer.11.output.LayerNorm.bias", BertTf.hfName("bert/encoder/layer_11/output/LayerNorm/beta"));
        assertEquals("embeddings.LayerNorm.weight", BertTf.hfName("bert/embeddings/LayerNorm/gamma"));
        assertEquals("embeddings.word_embeddings.weight", BertTf.hfName("bert/embeddings/word_embeddings"));
        assertEquals("cls.predictions.transform.dense.weight", BertTf.hfName("cls/predictions/transform/dense/kernel"));
        assertEquals("cls.predictions.bias", BertTf.hfName("module/cls/predictions/output_bias"));
        for (String skipped : new String[] {"global_step", "bert/pooler/dense/kernel", "cls/seq_relationship/output_weights",
                "bert/encoder/layer_0/attention/self/query/kernel/adam_v"}) {
            assertNull(BertTf.hfName(skipped), skipped);
        }
    }

    @Test
    void loadsEveryParameterAndTheHead() throws IOException {
        BertForMaskedLm original = TinyBertTf.model(7);
        TinyBertTf.write(original, tmp.resolve("variables"), true, "module/");
        BertForMaskedLm loaded = assertInstanceOf(BertForMaskedLm.class, BertTf.load(tmp.resolve("variables.index")));
        assertEquals(TinyBertTf.CONFIG, loaded.bert().config(), "sizes from the shapes, one head of 64, GELU (tanh), eps 1e-12");
        assertSameParameters(original.bert().namedParameters(), loaded.bert().namedParameters());
        assertSameParameters(original.head().namedParameters(), loaded.head().namedParameters());
        try (var noTape = GradMode.off()) {
            PretrainedModel.Input in = PretrainedModel.Input.tokens(IDS, null);
            assertArrayEquals(original.logits(in).toFloatArray(), loaded.logits(in).toFloatArray());
        }
    }

    /** logits[t] = LN(gelu_tanh(h W_tᵀ + b_t)) Eᵀ + b at one position, in float64 from the parameters. */
    @Test
    void headComputesItsFormula() {
        BertForMaskedLm m = TinyBertTf.model(3);
        Map<String, Tensor> p = m.head().namedParameters();
        float[] logits;
        double[] h;
        int t = 6, d = TinyBertTf.CONFIG.hiddenSize(), v = TinyBertTf.CONFIG.vocabSize();
        try (var noTape = GradMode.off()) {
            PretrainedModel.Input in = PretrainedModel.Input.tokens(IDS, null);
            logits = m.logits(in).toFloatArray();
            h = java.util.Arrays.copyOfRange(m.hiddenStates(in).getLast().toDoubleArray(), t * d, (t + 1) * d);
        }
        double[] w = p.get("transform.dense.weight").toDoubleArray(), b = p.get("transform.dense.bias").toDoubleArray();
        double[] z = new double[d];
        for (int o = 0; o < d; o++) {
            double s = b[o];
            for (int i = 0; i < d; i++) s += w[o * d + i] * h[i];
            z[o] = 0.5 * s * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (s + 0.044715 * s * s * s)));
        }
        double mean = java.util.Arrays.stream(z).average().orElseThrow(), var = 0;
        for (double x : z) var += (x - mean) * (x - mean) / d;
        double[] gamma = p.get("transform.LayerNorm.weight").toDoubleArray(), beta = p.get("transform.LayerNorm.bias").toDoubleArray();
        for (int i = 0; i < d; i++) z[i] = (z[i] - mean) / Math.sqrt(var + 1e-12) * gamma[i] + beta[i];
        double[] e = m.bert().namedParameters().get("embeddings.word_embeddings.weight").toDoubleArray(), bias = p.get("bias").toDoubleArray();
        for (int k = 0; k < v; k++) {
            double s = bias[k];
            for (int i = 0; i < d; i++) s += e[k * d + i] * z[i];
            assertEquals(s, logits[t * v + k], 1e-4 * Math.max(1, Math.abs(s)), "logit of token " + k);
        }
    }

    @Test
    void withoutTheHeadItIsAnEncoder() throws IOException {
        BertForMaskedLm original = TinyBertTf.model(7);
        TinyBertTf.write(original, tmp.resolve("bert_model.ckpt"), false, "");
        PretrainedModel m = BertTf.load(tmp); // a directory with one .index, as Google's releases
        assertInstanceOf(BertModel.class, m);
        assertSameParameters(original.bert().namedParameters(), m.module().namedParameters());
    }

    @Test
    void headCountFromBertConfigJson() throws IOException {
        TinyBertTf.write(TinyBertTf.model(7), tmp.resolve("bert_model.ckpt"), true, "");
        Files.writeString(tmp.resolve("bert_config.json"), "{\"num_attention_heads\": 4, \"hidden_act\": \"relu\"}");
        BertConfig c = ((BertForMaskedLm) BertTf.load(tmp)).bert().config();
        assertEquals(4, c.numAttentionHeads());
        assertEquals(org.biaslab.nn.Activation.RELU, c.hiddenAct());
    }

    @Test
    void randomInitKeepsTheHead() throws IOException {
        BertForMaskedLm fresh = TinyBertTf.model(7).randomInit(1);
        assertEquals(TinyBertTf.CONFIG, fresh.bert().config());
        double[] bias = fresh.head().namedParameters().get("bias").toDoubleArray();
        assertTrue(java.util.Arrays.stream(bias).allMatch(x -> x == 0), "HuggingFace initialises the output bias to 0");
        double[] w = fresh.head().namedParameters().get("transform.dense.weight").toDoubleArray();
        double sd = Math.sqrt(java.util.Arrays.stream(w).map(x -> x * x).average().orElseThrow());
        assertEquals(0.02, sd, 0.002, "dense weight ~ N(0, 0.02²)");
    }

    @Test
    void notABertIsOneLine() throws IOException {
        Path prefix = tmp.resolve("other");
        BundleBytes.write(prefix, 1, Map.of("dense/kernel", new BundleBytes.Spec(1, new long[] {1}, BundleBytes.f32(1), 0)));
        FormatException e = assertThrows(FormatException.class, () -> BertTf.load(prefix));
        assertTrue(e.getMessage().startsWith(prefix + ".index: not a BERT checkpoint biaslab can map: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    private static void assertSameParameters(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, t) -> {
            assertArrayEquals(t.shape().dims(), actual.get(name).shape().dims(), name);
            assertArrayEquals(t.toFloatArray(), actual.get(name).toFloatArray(), name);
        });
    }
}
