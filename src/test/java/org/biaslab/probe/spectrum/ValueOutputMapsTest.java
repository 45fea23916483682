package org.biaslab.probe.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Encoder;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerConfig;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1ScratchpadTransformer;
import org.biaslab.nn.P1Transformer;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.nn.vit.VitClassifier;

/**
 * The row-vector convention of every architecture: with the patterns captured by hooks, Σ_h A_h X H_h + 1 c
 * reproduces the attention block's output, and the norm named as X's source really produced X.
 */
class ValueOutputMapsTest {
    private static final Tensor IDS = Tensor.ofInts(new int[] {5, 17, 42, 8, 91, 3, 60, 77, 0, 0}, 2, 5);
    private static final Tensor MASK = Tensor.ofInts(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5);

    @Test
    void bert() throws Exception {
        PretrainedModel m = randomised(HuggingFace.load(HfFixture.dir("bert")));
        check(m.module(), 2, () -> m.hiddenStates(PretrainedModel.Input.tokens(IDS, MASK)));
    }

    @Test
    void gpt2() throws Exception {
        PretrainedModel m = randomised(HuggingFace.load(HfFixture.dir("gpt2")));
        check(m.module(), 2, () -> m.hiddenStates(PretrainedModel.Input.tokens(IDS, MASK)));
    }

    @Test
    void vit() throws Exception {
        PretrainedModel m = randomised(HuggingFace.load(HfFixture.dir("vit")));
        Tensor pixels = Tensor.randn(new Rng(3), DType.F32, 2, 3, 32, 32);
        check(m.module(), 2, () -> m.hiddenStates(PretrainedModel.Input.pixels(pixels)));
    }

    @Test
    void reparameterisedVitOfBothSpectra() {
        for (AttentionVariant v : new AttentionVariant[] {AttentionVariant.SMOOTH, AttentionVariant.SHARPEN}) {
            VitClassifier m = new VitClassifier(VitClassifier.mnist(), v, 10, Init.f32(6));
            Tensor pixels = Tensor.uniform(new Rng(7), DType.F32, 0, 1, 2, 1, 28, 28);
            check(m, 4, () -> m.forward(pixels));
            assertEquals("vit.encoder.layer.0.layernorm_before", ValueOutputMaps.of(m, false).get(0).norm());
        }
    }

    @Test
    void t5SelfAttentionOfBothStacks() throws Exception {
        PretrainedModel m = randomised(HuggingFace.load(HfFixture.dir("t5")));
        check(m.module(), 4, () -> m.hiddenStates(new PretrainedModel.Input(IDS, MASK, null, null, IDS)));
    }

    @Test
    void p1PostLnEncoder() {
        P1Transformer m = randomised(new P1Transformer(8, 2, 2, 16, Init.f32(1)));
        List<ValueOutput> maps = ValueOutputMaps.of(m, false);
        assertNull(maps.get(0).norm(), "P1's embeddings have no norm");
        assertEquals("encoders.layers.0.norm2", maps.get(1).norm());
        check(m, 2, () -> m.forward(Tensor.ofInts(new int[] {0, 1, 1, 0, 1, 1, 1, 0, 0, 1}, 2, 5)));
    }

    @Test
    void p1ScratchpadEncoderAndDecoderSelfAttention() {
        P1ScratchpadTransformer m = randomised(new P1ScratchpadTransformer(8, 2, 2, 16, Init.f32(2)));
        assertEquals("model.decoder.layers.0.norm3", ValueOutputMaps.of(m, false).get(3).norm());
        check(m, 4, () -> m.forward(Tensor.ofInts(new int[] {0, 1, 1, 0, 1, 1, 1, 0}, 2, 4), Tensor.ofInts(new int[] {2, 0, 1, 2, 1, 1}, 2, 3)));
    }

    @Test
    void preLnEncoder() {
        Encoder m = randomised(new Encoder(new LayerConfig(8, 2, 8, Activation.RELU, true, 1e-5, true), 2, true, false, Init.f32(4)));
        assertEquals("layers.1.norm1", ValueOutputMaps.of(m, false).get(1).norm());
        check(m, 2, () -> m.forward(Tensor.randn(new Rng(5), DType.F32, 2, 5, 8), false, null));
    }

    /** Runs the forward pass capturing every hook point and checks each self-attention layer. */
    private static void check(Module m, int layers, Runnable forward) {
        List<ValueOutput> maps = ValueOutputMaps.of(m, false);
        assertEquals(layers, maps.size(), "self-attention layers");
        try (Hooks.Capture c = m.hooks().capture("**")) {
            forward.run();
            for (ValueOutput l : maps) {
                Tensor x = c.last(l.attention() + ".hook_in"), pattern = c.last(l.patternPoint());
                String out = l.attention().endsWith(".attention.self")
                        ? l.attention().substring(0, l.attention().length() - ".self".length()) + ".output.dense.hook_out" // BERT
                        : l.attention() + ".hook_out";
                assertClose(l.attention(), predicted(l, x, pattern), c.last(out));
                if (l.norm() != null) assertEquals(0, HfFixture.maxAbs(c.last(l.norm() + ".hook_out"), x), l.norm() + " feeds " + l.attention());
            }
        }
    }

    /** Σ_h A_h X H_h + 1 c for each input: (B, T, d). */
    static double[] predicted(ValueOutput l, Tensor x, Tensor pattern) {
        int b = x.dim(0), t = x.dim(1), d = x.dim(2);
        double[] xs = x.toDoubleArray(), a = pattern.toDoubleArray(), out = new double[b * t * d];
        for (int i = 0; i < b; i++) {
            DMatrixRMaj xi = new DMatrixRMaj(t, d, true, java.util.Arrays.copyOfRange(xs, i * t * d, (i + 1) * t * d));
            DMatrixRMaj y = new DMatrixRMaj(t, d);
            for (int h = 0; h < l.heads(); h++) {
                int base = (i * l.heads() + h) * t * t;
                DMatrixRMaj ah = new DMatrixRMaj(t, t, true, java.util.Arrays.copyOfRange(a, base, base + t * t));
                CommonOps_DDRM.multAdd(CommonOps_DDRM.mult(ah, xi, null), l.h(h), y); // (T, T) x (T, d) x (d, d)
            }
            for (int r = 0; r < t; r++) for (int k = 0; k < d; k++) out[(i * t + r) * d + k] = y.get(r, k) + l.offset().get(0, k);
        }
        return out;
    }

    private static void assertClose(String what, double[] expected, Tensor actual) {
        double[] y = actual.toDoubleArray();
        assertEquals(expected.length, y.length, what + ": size");
        double scale = 0, err = 0;
        for (int i = 0; i < y.length; i++) {
            scale = Math.max(scale, Math.abs(y[i]));
            err = Math.max(err, Math.abs(y[i] - expected[i]));
        }
        assertTrue(scale > 0.1, what + ": output too small to test the maps (" + scale + ")");
        assertTrue(err <= 1e-4 * scale, what + ": Σ A X H + c differs from the block's output by " + err + " (scale " + scale + ")");
    }

    @Test
    void theCompactSpectrumIsHsSpectrumWithoutItsStructuralZeros() throws Exception {
        PretrainedModel m = randomised(HuggingFace.load(HfFixture.dir("vit")));
        for (ValueOutput l : ValueOutputMaps.of(m.module(), true)) {
            for (int h = 0; h < l.heads(); h++) SpectraAssert.sameMultiset(Eigen.values(l.h(h)), l.eigenvalues(h), 1e-9);
        }
    }

    @Test
    void flippingEveryGammaNegatesTheFoldedSpectrum() throws Exception {
        Module m = HuggingFace.load(HfFixture.dir("gpt2")).module();
        randomised(m);
        List<ValueOutput> before = ValueOutputMaps.of(m, true);
        assertEquals(List.of("h.0.ln_1.weight", "h.1.ln_1.weight"), List.copyOf(LayerNormSign.flip(m, before, 1, 7)));
        List<ValueOutput> after = ValueOutputMaps.of(m, true);
        for (int l = 0; l < before.size(); l++) {
            for (int h = 0; h < before.get(l).heads(); h++) {
                Complex_F64[] negated = before.get(l).compactEigenvalues(h);
                for (Complex_F64 e : negated) e.setTo(-e.real, -e.imaginary);
                SpectraAssert.sameMultiset(negated, after.get(l).compactEigenvalues(h), 1e-9);
            }
        }
    }

    @Test
    void flippingAFractionFlipsThatManyEntriesOfEachNorm() throws Exception {
        Module m = HuggingFace.load(HfFixture.dir("bert")).module();
        randomised(m);
        Map<String, Tensor> before = new LinkedHashMap<>(m.namedParameters());
        List<ValueOutput> maps = ValueOutputMaps.of(m, false);
        assertEquals(List.of("embeddings.LayerNorm.weight", "encoder.layer.0.output.LayerNorm.weight"),
                List.copyOf(LayerNormSign.flip(m, maps, 0.25, 11)));
        for (var e : m.namedParameters().entrySet()) {
            double[] a = before.get(e.getKey()).toDoubleArray(), b = e.getValue().toDoubleArray();
            int negated = 0, same = 0;
            for (int i = 0; i < a.length; i++) {
                if (a[i] == -b[i] && a[i] != 0) negated++;
                else if (a[i] == b[i]) same++;
            }
            boolean flipped = e.getKey().equals("embeddings.LayerNorm.weight") || e.getKey().equals("encoder.layer.0.output.LayerNorm.weight");
            assertEquals(flipped ? 8 : 0, negated, e.getKey()); // round(0.25 · 32)
            assertEquals(a.length - (flipped ? 8 : 0), same, e.getKey());
        }
    }

    /** Replaces every parameter (biases, γ and β included) by N(0, 0.3²) draws, so that no term of the map vanishes. */
    static <M extends Module> M randomised(M m) {
        Init init = Init.f32(99);
        Map<String, Tensor> values = new LinkedHashMap<>();
        m.namedParameters().forEach((name, t) -> values.put(name, init.normal(0.3, t.shape().dims())));
        m.load(values);
        return m;
    }

    static PretrainedModel randomised(PretrainedModel m) {
        randomised(m.module());
        return m;
    }
}
