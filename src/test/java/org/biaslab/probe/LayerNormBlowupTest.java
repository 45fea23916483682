package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.data.Batch;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1ScratchpadTransformer;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayerNormBlowupTest {
    static final int B = 2, T = 3, D = 4;

    /** Z[b, i, :] = c[b][i]·(1, −1, 1, −1): mean 0, Bessel std c·sqrt(d/(d − 1)). */
    static Tensor alternating(double[][] c) {
        float[] v = new float[B * T * D];
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < T; i++) {
                for (int k = 0; k < D; k++) v[(b * T + i) * D + k] = (float) (c[b][i] * (k % 2 == 0 ? 1 : -1));
            }
        }
        return Tensor.of(v, B, T, D);
    }

    static final double[][] C00 = {{1, 2, 4}, {0.5, 1, 1}}, C01 = {{2, 2, 2}, {1, 4, 8}},
            C10 = {{0.25, 8, 2}, {1, 1, 0.5}}, C11 = {{1, 1, 4}, {2, 2, 0.5}};

    static Map<String, Tensor> twoLayers(double scale) {
        Map<String, Tensor> z = new LinkedHashMap<>();
        z.put("encoders.layers.0.norm1.hook_in", alternating(C00).mul(scale));
        z.put("encoders.layers.0.norm2.hook_in", alternating(C01).mul(scale));
        z.put("encoders.layers.1.norm1.hook_in", alternating(C10).mul(scale));
        z.put("encoders.layers.1.norm2.hook_in", alternating(C11).mul(scale));
        return z;
    }

    static double inv(double c) {
        return 1 / (c * Math.sqrt(D / (D - 1.0)));
    }

    @Test
    void aConstructedInputGivesTheClosedFormsWithTheLastLayerReadAtTheFinalPosition() {
        Map<String, double[]> v = LayerNormBlowup.of(twoLayers(1), 1);
        double[][][] layer0 = {C00, C01}, layer1 = {C10, C11};
        double maxsProd = 0, meansProd = 0, maxsSum = 0, meansSum = 0;
        for (int b = 0; b < B; b++) {
            double pMax = 1, pMean = 1, sMax = 0, sMean = 0;
            for (double[][] c : layer0) {
                double max = 0, mean = 0;
                for (int i = 0; i < T; i++) {
                    max = Math.max(max, inv(c[b][i]));
                    mean += inv(c[b][i]) / T;
                }
                pMax *= max;
                pMean *= mean;
                sMax += max;
                sMean += mean;
            }
            for (double[][] c : layer1) { // the final position only
                pMax *= inv(c[b][T - 1]);
                pMean *= inv(c[b][T - 1]);
                sMax += inv(c[b][T - 1]);
                sMean += inv(c[b][T - 1]);
            }
            maxsProd += pMax / B;
            meansProd += pMean / B;
            maxsSum += sMax / B;
            meansSum += sMean / B;
        }
        assertEquals(maxsProd, v.get("blowup_encoder_maxs_prod")[0], 1e-6 * maxsProd);
        assertEquals(meansProd, v.get("blowup_encoder_means_prod")[0], 1e-6 * meansProd);
        assertEquals(maxsSum, v.get("blowup_encoder_maxs_sum")[0], 1e-6 * maxsSum);
        assertEquals(meansSum, v.get("blowup_encoder_means_sum")[0], 1e-6 * meansSum);
        // per-LN: ln1 of layer 0, b = 0 has max inv(1), b = 1 has max inv(0.5)
        assertEquals((inv(1) + inv(0.5)) / 2, v.get("inv_std_encoder_0_ln1_max")[0], 1e-6);
        assertEquals((inv(1) + inv(2) + inv(4) + inv(0.5) + 2 * inv(1)) / 6, v.get("inv_std_encoder_0_ln1_mean")[0], 1e-6);
        assertEquals((inv(4) + inv(0.5)) / 2, v.get("inv_std_encoder_1_ln2_mean")[0], 1e-6);
        assertEquals(List.of("blowup_encoder_maxs_prod", "blowup_encoder_means_prod", "blowup_encoder_maxs_sum",
                "blowup_encoder_means_sum", "inv_std_encoder_0_ln1_mean", "inv_std_encoder_0_ln1_max",
                "inv_std_encoder_0_ln2_mean", "inv_std_encoder_0_ln2_max", "inv_std_encoder_1_ln1_mean",
                "inv_std_encoder_1_ln1_max", "inv_std_encoder_1_ln2_mean", "inv_std_encoder_1_ln2_max"), List.copyOf(v.keySet()));
    }

    @Test
    void scalingEveryLnInputByCScalesInverseStdsBy1OverC() {
        double c = 3;
        Map<String, double[]> one = LayerNormBlowup.of(twoLayers(1), 1), scaled = LayerNormBlowup.of(twoLayers(c), 1);
        for (String k : one.keySet()) {
            double factor = k.endsWith("_prod") ? Math.pow(c, -4) : 1 / c; // 4 LNs in a product
            assertEquals(one.get(k)[0] * factor, scaled.get(k)[0], 1e-6 * one.get(k)[0], k);
        }
    }

    @Test
    void earlierPositionsOfTheLastLayerDoNotCountThoseOfEarlierLayersDo() {
        double before = LayerNormBlowup.of(twoLayers(1), 1).get("blowup_encoder_maxs_prod")[0];
        Map<String, Tensor> last = twoLayers(1);
        last.put("encoders.layers.1.norm1.hook_in", alternating(new double[][] {{1e-3, 1e-3, C10[0][2]}, {1e-3, 1e-3, C10[1][2]}}));
        assertEquals(before, LayerNormBlowup.of(last, 1).get("blowup_encoder_maxs_prod")[0], 1e-9);
        Map<String, Tensor> first = twoLayers(1);
        first.put("encoders.layers.0.norm1.hook_in", alternating(new double[][] {{1e-3, C00[0][1], C00[0][2]}, {1e-3, C00[1][1], C00[1][2]}}));
        assertTrue(LayerNormBlowup.of(first, 1).get("blowup_encoder_maxs_prod")[0] > 100 * before);
    }

    static Tensor bits(long seed, int... dims) {
        return Tensor.randint(new org.biaslab.tensor.Rng(seed), 2, dims);
    }

    @Test
    void scalingTheFirstLnInputOfAModelByCScalesItsInverseStdBy1OverC() {
        P1Transformer m = new P1Transformer(16, 1, 2, 8, Init.f32(4));
        Tensor x = bits(1, 8, 6);
        Map<String, double[]> plain = LayerNormBlowup.measure(m, () -> m.forward(x));
        Map<String, double[]> scaled;
        try (var h = m.hooks().add("encoders.layers.0.norm1.hook_in", (name, t) -> t.mul(4.0))) { // before the capture
            scaled = LayerNormBlowup.measure(m, () -> m.forward(x));
        }
        for (String k : List.of("inv_std_encoder_0_ln1_mean", "inv_std_encoder_0_ln1_max")) {
            assertEquals(plain.get(k)[0] / 4, scaled.get(k)[0], 1e-6 * plain.get(k)[0], k);
        }
        // LN output is scale invariant (up to its eps), so norm2's input barely moves and the product drops by ~4
        assertEquals(plain.get("blowup_encoder_maxs_prod")[0] / 4, scaled.get("blowup_encoder_maxs_prod")[0],
                1e-3 * plain.get("blowup_encoder_maxs_prod")[0]);
    }

    /**
     * The blowup reads the last layer at its last position only, so P1's model computes that layer there alone (and,
     * from 4,096 rows, its rewrites): the values of a capture that makes it compute every row, in float64 to 1e-9.
     */
    @Test
    void theReadoutPathGivesTheBlowupOfTheFullModel() {
        for (int members : new int[] {1, 2}) {
            P1Transformer m = new P1Transformer(16, 2, 2, 20, org.biaslab.nn.Init.forLoading(org.biaslab.tensor.DType.F64, members));
            Map<String, Tensor> random = new LinkedHashMap<>();
            int k = 0;
            for (var e : m.namedParameters().entrySet()) {
                random.put(e.getKey(), Tensor.randn(new org.biaslab.tensor.Rng(50 + k++), org.biaslab.tensor.DType.F64, e.getValue().shape().dims()));
            }
            m.load(random);
            Tensor x = members == 1 ? bits(5, 300, 14) : bits(5, 2, 150, 14); // 4,200 rows
            Map<String, double[]> fast = LayerNormBlowup.measure(m, () -> m.forward(x));
            Map<String, Tensor> every = new LinkedHashMap<>(), readout = new LinkedHashMap<>();
            try (var c = m.hooks().capture(LayerNormBlowup.HOOKS)) {
                m.forward(x);
                for (var e : c.values().entrySet()) every.put(e.getKey(), e.getValue().get(0));
            }
            try (var c = m.hooks().captureAtReadout(LayerNormBlowup.HOOKS)) {
                m.forward(x);
                for (var e : c.values().entrySet()) readout.put(e.getKey(), e.getValue().get(0));
            }
            assertEquals(14, every.get("encoders.layers.1.norm2.hook_in").dim(-2), "a plain capture sees every row");
            assertEquals(1, readout.get("encoders.layers.1.norm2.hook_in").dim(-2), "the readout capture, the last");
            assertEquals(14, readout.get("encoders.layers.0.norm2.hook_in").dim(-2), "earlier layers: every row");
            Map<String, double[]> full = LayerNormBlowup.of(every, members);
            assertEquals(full.keySet(), fast.keySet());
            for (String key : full.keySet()) {
                for (int e = 0; e < members; e++) assertEquals(full.get(key)[e], fast.get(key)[e], 1e-9 * Math.abs(full.get(key)[e]), key);
            }
        }
    }

    @Test
    void anEnsembleMemberMeasuresAsTheModelAlone() {
        P1Transformer ens = new P1Transformer(16, 2, 2, 8, Init.f32(1, 2));
        Tensor x = bits(3, 2, 8, 5);
        Map<String, double[]> both = LayerNormBlowup.measure(ens, () -> ens.forward(x));
        int[] all = x.toIntArray();
        for (int e = 0; e < 2; e++) {
            P1Transformer solo = new P1Transformer(16, 2, 2, 8, Init.f32(e + 1));
            Tensor xe = Tensor.ofInts(java.util.Arrays.copyOfRange(all, e * 40, (e + 1) * 40), 8, 5);
            Map<String, double[]> alone = LayerNormBlowup.measure(solo, () -> solo.forward(xe));
            for (String k : alone.keySet()) assertEquals(alone.get(k)[0], both.get(k)[e], 1e-5 * alone.get(k)[0], k + " member " + e);
        }
    }

    @Test
    void theScratchpadModelHasEncoderAndDecoderBlowupsFromNorm1AndNorm2Only() {
        P1ScratchpadTransformer m = new P1ScratchpadTransformer(16, 2, 2, 8, Init.f32(0));
        Tensor x = bits(5, 4, 6);
        Batch b = new Batch(x, bits(6, 4, 6).to(org.biaslab.tensor.DType.F32));
        Map<String, double[]> v = LayerNormBlowup.measure(m, () -> P1Objective.predict(m, b));
        for (String part : List.of("encoder", "decoder")) {
            assertTrue(v.get("blowup_" + part + "_maxs_prod")[0] > 0, part);
            assertTrue(v.containsKey("inv_std_" + part + "_1_ln2_max"), part);
        }
        assertEquals(8 + 16, v.size(), "2 parts x 4 variants + 2 parts x 2 layers x 2 LNs x 2 statistics");
    }
}
