package org.biaslab.probe.saturation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SaturationTest {
    /** Blocks h ← W h (+ b), each firing {@code hook_resid_post}: 1-homogeneous per block without biases. */
    static final class LinearStack extends Module {
        final Block[] blocks;

        LinearStack(int d, int depth, boolean bias, Init init) {
            super(1);
            blocks = new Block[depth];
            for (int i = 0; i < depth; i++) blocks[i] = child("layers." + i, new Block(d, bias, init));
        }

        Tensor forward(Tensor x) {
            for (Block b : blocks) x = b.forward(x);
            return x;
        }
    }

    static final class Block extends Module {
        final Linear linear;

        Block(int d, boolean bias, Init init) {
            super(1);
            linear = child("linear", new Linear(d, d, bias, init));
        }

        Tensor forward(Tensor x) {
            return hook("hook_resid_post", linear.forward(x));
        }
    }

    static Tensor input(int... dims) {
        return Tensor.randn(new Rng(5), DType.F32, dims);
    }

    @Test
    void parametersAreScaledInsideAndBitIdenticalAfterRestore() {
        P1Transformer m = new P1Transformer(16, 2, 2, 8, Init.f32(1));
        Map<String, Tensor> before = new LinkedHashMap<>(m.namedParameters());
        Map<String, float[]> bits = new LinkedHashMap<>();
        before.forEach((k, v) -> bits.put(k, v.toFloatArray()));
        try (Saturate s = Saturate.scale(m, Saturate.INFINITY)) {
            m.namedParameters().forEach((k, v) -> {
                float[] orig = bits.get(k), scaled = v.toFloatArray();
                for (int i = 0; i < orig.length; i++) assertEquals(orig[i] * 1000f, scaled[i], Math.ulp(orig[i] * 1000f), k);
            });
        }
        m.namedParameters().forEach((k, v) -> {
            assertSame(before.get(k), v, "the original tensor is back: " + k);
            assertArrayEquals(bits.get(k), v.toFloatArray(), k);
            assertTrue(v.requiresGrad(), k);
        });
    }

    @Test
    void aBiasFreeLinearModelIsExactlySimilarToItsSaturationAtEveryScale() {
        LinearStack m = new LinearStack(8, 3, false, Init.f32(2));
        Tensor x = input(4, 6, 8).mul(10); // (B, T, d); token norms ≫ 1 so the 1e-9 guard stays below 1e-10
        Tensor mask = Tensor.ofInts(new int[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, 4, 6);
        for (double c : new double[] {1, 1.7, 10, 1000}) {
            Map<String, RepresentationSimilarity.Layer> sim = RepresentationSimilarity.ofResiduals(m, () -> m.forward(x), mask, c);
            assertEquals(3, sim.size());
            sim.forEach((layer, v) -> assertEquals(1, v.similarity(), 1e-9, layer + " at c = " + c + " (to float32 rounding)"));
        }
        for (double v : Homogeneity.curve(m, () -> m.forward(x), Homogeneity.SCALES, 1000)) assertEquals(1, v, 1e-9);
    }

    @Test
    void anisotropyIsTheMeanCosineOverPairsOfDistinctRealTokens() {
        Tensor h = input(3, 5, 7).mul(3); // (B, T, d)
        Tensor mask = Tensor.ofInts(new int[] {1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1}, 3, 5);
        float[] x = h.toFloatArray();
        int[] m = mask.toIntArray();
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < 15; i++) for (int j = 0; j < 15; j++) {
            if (i == j || m[i] == 0 || m[j] == 0) continue;
            double dot = 0, ii = 0, jj = 0;
            for (int k = 0; k < 7; k++) {
                dot += (double) x[i * 7 + k] * x[j * 7 + k];
                ii += (double) x[i * 7 + k] * x[i * 7 + k];
                jj += (double) x[j * 7 + k] * x[j * 7 + k];
            }
            sum += dot / Math.sqrt(ii * jj);
            pairs++;
        }
        assertEquals(sum / pairs, RepresentationSimilarity.anisotropy(h, mask), 1e-12, "closed form against the pairs");
        Tensor same = Tensor.of(new float[] {1, 2, 3, 2, 4, 6, 0.5f, 1, 1.5f}, 3, 3);
        assertEquals(1, RepresentationSimilarity.anisotropy(same, null), 1e-12, "tokens in one direction");
        Tensor axes = Tensor.of(new float[] {2, 0, 0, 0, 3, 0, 0, 0, 5}, 3, 3);
        assertEquals(0, RepresentationSimilarity.anisotropy(axes, null), 1e-15, "orthogonal tokens");
        Tensor opposite = Tensor.of(new float[] {1, 1, -2, -2}, 2, 2);
        assertEquals(-1, RepresentationSimilarity.anisotropy(opposite, null), 1e-12, "two opposite tokens");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RepresentationSimilarity.anisotropy(same, Tensor.ofInts(new int[] {0, 1, 0}, 3)));
        assertEquals("anisotropy: needs two real tokens, got 1", e.getMessage());
    }

    @Test
    void biasesAfterAMatmulBreakHomogeneity() {
        LinearStack m = new LinearStack(8, 3, true, Init.f32(2));
        Tensor x = input(4, 6, 8);
        Map<String, RepresentationSimilarity.Layer> sim = RepresentationSimilarity.ofResiduals(m, () -> m.forward(x), null, 1000);
        assertEquals(1, sim.get("layers.0.hook_resid_post").similarity(), 1e-6, "W x + b is 1-homogeneous in θ");
        assertTrue(sim.get("layers.2.hook_resid_post").similarity() < 0.999, "degrees 3, 2 and 1 mixed: " + sim);
        double[] curve = Homogeneity.curve(m, () -> m.forward(x), Homogeneity.SCALES, 1000);
        assertTrue(curve[0] < curve[curve.length - 1], "closer to c = 1000 at c = 10 than at c = 1");
    }

    @Test
    void layerNormWithoutAffineParametersIsScaleInvariant() {
        LayerNorm exact = new LayerNorm(8, 0, false, Init.f32(0));
        Tensor x = input(3, 8);
        float[] y = exact.forward(x).toFloatArray();
        for (double c : new double[] {0.5, 2, 1024}) assertArrayEquals(y, exact.forward(x.mul(c)).toFloatArray(), "power-of-two c, eps 0: bit for bit");
        LayerNorm torch = new LayerNorm(8, 1e-5, false, Init.f32(0));
        assertArrayEquals(torch.forward(x.mul(1000)).toFloatArray(), torch.forward(x.mul(1000 * 37.5)).toFloatArray(), 1e-6f,
                "eps 1e-5 only matters where c²·var is comparable to it");
    }

    @Test
    void homogeneityScalesAreNumpysLinspace() {
        assertEquals(20, Homogeneity.SCALES.length);
        assertEquals(1, Homogeneity.SCALES[0]);
        assertEquals(10, Homogeneity.SCALES[19]);
        assertEquals(1 + 9.0 / 19, Homogeneity.SCALES[1], 1e-15);
    }
}
