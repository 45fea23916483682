package org.biaslab.nn.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** biaslab's BERT on a small random model: HuggingFace's initialisation, names, masking and hook points. */
class BertModelTest {
    static final BertConfig SMALL = new BertConfig(50, 16, 2, 4, 32, Activation.GELU, 12, 2, 1e-12, 0.02, 0);

    @Test
    void parametersHaveHuggingFacesNamesAndShapes() {
        Map<String, Tensor> p = BertModel.initialised(SMALL, DType.F32, 0).namedParameters();
        assertEquals(List.of(50, 16), dims(p.get("embeddings.word_embeddings.weight")));
        assertEquals(List.of(12, 16), dims(p.get("embeddings.position_embeddings.weight")));
        assertEquals(List.of(32, 16), dims(p.get("encoder.layer.1.intermediate.dense.weight")));
        assertEquals(List.of(16, 32), dims(p.get("encoder.layer.1.output.dense.weight")));
        assertEquals(List.of(16), dims(p.get("encoder.layer.0.attention.output.LayerNorm.bias")));
        // HF BertModel without pooler: 5 embedding tensors, 16 per layer
        assertEquals(5 + 2 * 16, p.size());
    }

    @Test
    void randomInitFollowsHuggingFace() {
        BertConfig big = new BertConfig(2000, 64, 1, 4, 128, Activation.GELU, 64, 2, 1e-12, 0.02, 0);
        BertModel a = BertModel.initialised(big, DType.F64, 1);
        BertModel again = a.randomInit(1), other = a.randomInit(2);
        for (var e : a.namedParameters().entrySet()) {
            String name = e.getKey();
            double[] v = e.getValue().toDoubleArray();
            assertEquals(Arrays.toString(v), Arrays.toString(again.namedParameters().get(name).toDoubleArray()), "same seed, same values: " + name);
            if (name.endsWith("LayerNorm.weight")) assertTrue(Arrays.stream(v).allMatch(x -> x == 1), name);
            else if (name.endsWith(".bias")) assertTrue(Arrays.stream(v).allMatch(x -> x == 0), name);
            else {
                assertNotEquals(Arrays.toString(v), Arrays.toString(other.namedParameters().get(name).toDoubleArray()), name);
                double sd = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum() / v.length);
                // N(0, 0.02²) over ≥ 4096 entries: the sample sd is within 6% (5 standard errors) of 0.02
                if (v.length >= 4096 && !name.equals("embeddings.word_embeddings.weight")) assertEquals(0.02, sd, 0.02 * 0.06, name);
            }
        }
        double[] word = a.namedParameters().get("embeddings.word_embeddings.weight").toDoubleArray();
        assertTrue(Arrays.stream(word, 0, 64).allMatch(x -> x == 0), "the [PAD] row (pad_token_id 0) is zero");
        assertEquals(0.02, Math.sqrt(Arrays.stream(word, 64, word.length).map(x -> x * x).sum() / (word.length - 64)), 0.02 * 0.02);
    }

    @Test
    void paddingDoesNotChangeTheRealTokens() {
        BertModel m = BertModel.initialised(SMALL, DType.F64, 3);
        int[] sentence = {2, 17, 5, 9, 3};
        Tensor alone = m.hiddenStates(PretrainedModel.Input.tokens(Tensor.ofInts(sentence, 1, 5), Tensor.ofInts(new int[] {1, 1, 1, 1, 1}, 1, 5))).getLast();
        int[] padded = {2, 17, 5, 9, 3, 0, 0, 2, 4, 4, 4, 4, 4, 3};
        int[] mask = {1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1};
        Tensor batch = m.hiddenStates(PretrainedModel.Input.tokens(Tensor.ofInts(padded, 2, 7), Tensor.ofInts(mask, 2, 7))).getLast();
        double[] x = alone.toDoubleArray(), y = batch.slice(0, 0, 1).slice(1, 0, 5).toDoubleArray();
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-12);
    }

    @Test
    void attentionHooksSeeProbabilitiesThatIgnorePaddedKeys() {
        BertModel m = BertModel.initialised(SMALL, DType.F64, 4);
        int[] mask = {1, 1, 1, 0};
        try (Hooks.Capture c = m.hooks().capture("encoder.layer.*.attention.self.hook_*")) {
            m.hiddenStates(PretrainedModel.Input.tokens(Tensor.ofInts(new int[] {2, 7, 3, 0}, 1, 4), Tensor.ofInts(mask, 1, 4)));
            Tensor pattern = c.last("encoder.layer.1.attention.self.hook_pattern");
            assertEquals(List.of(1, 4, 4, 4), dims(pattern));
            assertEquals(List.of(1, 4, 4, 4), dims(c.last("encoder.layer.0.attention.self.hook_q")));
            double[] p = pattern.toDoubleArray();
            for (int row = 0; row < 16; row++) {
                assertEquals(1, p[row * 4] + p[row * 4 + 1] + p[row * 4 + 2], 1e-12);
                assertEquals(0, p[row * 4 + 3]);
            }
        }
    }

    @Test
    void badInputsAreNamed() {
        BertModel m = BertModel.initialised(SMALL, DType.F32, 0);
        Tensor ids = Tensor.ofInts(new int[13], 1, 13);
        var e = assertThrows(IllegalArgumentException.class, () -> m.hiddenStates(PretrainedModel.Input.tokens(ids, null)));
        assertEquals("bert: 13 tokens exceed max_position_embeddings 12", e.getMessage());
        var mismatch = assertThrows(IllegalArgumentException.class, () -> m.hiddenStates(PretrainedModel.Input.tokens(Tensor.ofInts(new int[2], 1, 2), Tensor.ofInts(new int[3], 1, 3))));
        assertTrue(mismatch.getMessage().contains("attention_mask"), mismatch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BertConfig(50, 18, 2, 4, 32, Activation.GELU, 12, 2, 1e-12, 0.02, 0));
    }

    private static List<Integer> dims(Tensor t) {
        return Arrays.stream(t.shape().dims()).boxed().toList();
    }
}
