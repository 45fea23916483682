package org.biaslab.nn.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Init;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LanguageModelTest {
    static LmConfig tiny(LmVariant v) {
        return new LmConfig(11, 8, 2, 2, 12, 6, v, true);
    }

    static Tensor ids(int... v) {
        return Tensor.ofInts(v, 2, v.length / 2);
    }

    @Test
    void namesFollowTheReferenceLayout() {
        var names = List.copyOf(new LanguageModel(tiny(LmVariant.PRE_LN), Init.f32(0)).namedParameters().keySet());
        assertEquals("embed.weight", names.get(0));
        assertEquals("pos_embed.table.weight", names.get(1));
        assertTrue(names.containsAll(List.of("layers.0.attention.query.weight", "layers.0.attention.key.bias", "layers.0.attention.value.weight",
                "layers.0.attention.pooler.weight", "layers.1.linear1.weight", "layers.1.linear2.bias", "layers.1.norm1.weight",
                "layers.1.norm2.bias", "norm.weight", "classifier.weight", "classifier.bias")), names.toString());
        assertTrue(new LanguageModel(tiny(LmVariant.CONTROL), Init.f32(0)).namedParameters().keySet().stream().noneMatch(n -> n.startsWith("norm.")),
                "only Pre-LN has a final norm");
        assertEquals(0, new LanguageModel(new LmConfig(11, 8, 1, 2, 12, 6, LmVariant.CONTROL, false), Init.f32(0)).namedParameters()
                .keySet().stream().filter(n -> n.endsWith("bias") && !n.contains("norm")).count());
    }

    /** Changing a token changes no logit before it, in every variant, with and without an attention mask. */
    @Test
    void positionsDoNotSeeLaterTokens() {
        for (LmVariant v : LmVariant.values()) {
            LanguageModel m = new LanguageModel(tiny(v), Init.f32(3));
            Tensor a = ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), b = ids(1, 2, 3, 9, 5, 6, 7, 8, 9, 1);
            Tensor mask = Tensor.ofInts(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 5);
            for (Tensor am : new Tensor[] {null, mask}) {
                float[] la = m.forward(a, am).toFloatArray(), lb = m.forward(b, am).toFloatArray();
                int vocab = 11;
                for (int t = 0; t < 5; t++) {
                    for (int k = 0; k < vocab; k++) {
                        int row0 = t * vocab + k, row1 = (5 + t) * vocab + k;
                        if (t < 3) assertEquals(la[row0], lb[row0], 0, v + " sequence 0 position " + t);
                        if (t < 4) assertEquals(la[row1], lb[row1], 0, v + " sequence 1 position " + t);
                    }
                }
                assertTrue(la[3 * vocab] != lb[3 * vocab], v + ": the changed position itself does change");
            }
        }
    }

    /** Real positions of a right-padded sequence: the same logits whatever the pad ids and with or without the mask. */
    @Test
    void paddingDoesNotReachRealTokens() {
        for (LmVariant v : LmVariant.values()) {
            LanguageModel m = new LanguageModel(tiny(v), Init.f32(4));
            Tensor padded = ids(3, 4, 5, 0, 0, 6, 7, 8, 9, 1), otherPad = ids(3, 4, 5, 7, 9, 6, 7, 8, 9, 1);
            Tensor mask = Tensor.ofInts(new int[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, 2, 5);
            float[] a = m.forward(padded, mask).toFloatArray(), b = m.forward(otherPad, mask).toFloatArray(), c = m.forward(padded, null).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                int seq = i / (5 * 11), pos = i / 11 % 5;
                if (seq == 1 || pos < 3) {
                    assertEquals(a[i], b[i], 0, v + " element " + i);
                    assertEquals(a[i], c[i], 1e-5, v + " element " + i);
                }
            }
        }
    }

    /**
     * The reference's mask (quirk 1): later keys' scores are exactly 0, so their weights are e⁰ / Σ and a position's
     * logits change with a later token; with the correct mask they do not.
     */
    @Test
    void theReferencesZeroMaskLetsAPositionSeeLaterTokens() {
        LmConfig quirk = new LmConfig(11, 8, 2, 2, 12, 6, LmVariant.CONTROL, true, true);
        LanguageModel m = new LanguageModel(quirk, Init.f32(5));
        try (Hooks.Capture scores = m.hooks().capture("**.hook_scores"); Hooks.Capture pattern = m.hooks().capture("**.hook_pattern")) {
            m.forward(ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), null);
            float[] sc = scores.last("layers.0.attention.hook_scores").toFloatArray(), w = pattern.last("layers.0.attention.hook_pattern").toFloatArray();
            for (int row = 0; row < 2 * 2 * 5; row++) {
                int t = row % 5;
                double z = 0;
                for (int s = 0; s < 5; s++) z += Math.exp(sc[row * 5 + s]);
                for (int s = t + 1; s < 5; s++) {
                    assertEquals(0f, sc[row * 5 + s], 0f);
                    assertEquals(1 / z, w[row * 5 + s], 1e-6);
                }
            }
        }
        Tensor a = ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), b = ids(1, 2, 3, 9, 5, 6, 7, 8, 9, 10);
        assertTrue(m.forward(a, null).toFloatArray()[0] != m.forward(b, null).toFloatArray()[0], "position 0 sees token 3");
        LanguageModel correct = new LanguageModel(tiny(LmVariant.CONTROL), Init.f32(5));
        assertEquals(correct.forward(a, null).toFloatArray()[0], correct.forward(b, null).toFloatArray()[0], 0f);
    }

    @Test
    void attentionPatternsAreCausalAndReachableByHooks() {
        LanguageModel m = new LanguageModel(tiny(LmVariant.CONTROL), Init.f32(5));
        try (Hooks.Capture cap = m.hooks().capture("**.hook_pattern"); Hooks.Capture resid = m.hooks().capture("**.hook_resid_post")) {
            m.forward(ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), null);
            Tensor p = cap.last("layers.1.attention.hook_pattern"); // (B, H, T, T)
            assertArrayEquals(new int[] {2, 2, 5, 5}, p.shape().dims());
            float[] w = p.toFloatArray();
            for (int row = 0; row < 2 * 2 * 5; row++) {
                int t = row % 5;
                double sum = 0;
                for (int s = 0; s < 5; s++) {
                    if (s > t) assertEquals(0, w[row * 5 + s], 0);
                    sum += w[row * 5 + s];
                }
                assertEquals(1, sum, 1e-6);
            }
            assertEquals(2, resid.values().size());
        }
    }

    @Test
    void hiddenStatesAreTheEmbeddingsAndEachLayer() {
        LanguageModel m = new LanguageModel(tiny(LmVariant.PRE_LN), Init.f32(6));
        Tensor x = ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        List<Tensor> h = m.hiddenStates(PretrainedModel.Input.tokens(x, null));
        assertEquals(3, h.size());
        assertEquals("lm", m.architecture());
        assertArrayEquals(m.encode(x, null).toFloatArray(), h.get(2).toFloatArray(), 0);
        assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.ofInts(new int[7], 1, 7), null), "7 positions > maxLen 6");
    }

    @Test
    void ensembleMemberEIsTheModelWithSeedE() {
        LanguageModel ens = new LanguageModel(tiny(LmVariant.PRE_NORM), Init.f32(10, 11, 12));
        Tensor x = ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        float[] all = ens.forward(x, null).toFloatArray(); // (3, 2, 5, 11)
        for (int e = 0; e < 3; e++) {
            float[] one = new LanguageModel(tiny(LmVariant.PRE_NORM), Init.f32(10 + e)).forward(x, null).toFloatArray();
            for (int i = 0; i < one.length; i++) assertEquals(one[i], all[e * one.length + i], 1e-6, "member " + e + " element " + i);
        }
    }

    /** The gradient of a loss through the whole model against float64 central differences, for each variant. */
    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor x = ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        Tensor w = Tensor.uniform(new org.biaslab.tensor.Rng(1), DType.F64, -1, 1, 2, 5, 11);
        for (LmVariant v : LmVariant.values()) {
            LanguageModel m = new LanguageModel(tiny(v), new Init(DType.F64, 7));
            m.forward(x, null).logSoftmax(-1).mul(w).sum().backward();
            Map<String, Tensor> params = new LinkedHashMap<>(m.namedParameters());
            double h = 1e-6;
            for (var p : params.entrySet()) {
                double[] base = p.getValue().toDoubleArray();
                Tensor grad = p.getValue().grad();
                for (int j = 0; j < base.length; j += Math.max(1, base.length / 2)) {
                    double num = (objective(m, params, p.getKey(), base, j, h, x, w) - objective(m, params, p.getKey(), base, j, -h, x, w)) / (2 * h);
                    double ana = grad == null ? 0 : grad.get(j);
                    assertEquals(num, ana, 1e-6 * Math.max(1, Math.abs(num)), v + " " + p.getKey() + "[" + j + "]");
                }
                m.load(params);
            }
        }
    }

    private static double objective(LanguageModel m, Map<String, Tensor> params, String name, double[] base, int j, double dh, Tensor x, Tensor w) {
        double[] moved = base.clone();
        moved[j] += dh;
        Map<String, Tensor> all = new LinkedHashMap<>(params);
        all.put(name, Tensor.of(moved, params.get(name).shape().dims()));
        m.load(all);
        try (var off = GradMode.off()) {
            return m.forward(x, null).logSoftmax(-1).mul(w).sum().item();
        }
    }
}
