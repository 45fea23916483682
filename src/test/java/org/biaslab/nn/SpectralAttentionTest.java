package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.vit.VitAttention;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Schedule;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;

class SpectralAttentionTest {
    private static final int D = 8, HEADS = 2, T = 5, B = 3;

    /** Eigenvalues of a symmetric d×d matrix (EJML), ascending. */
    private static double[] symmetricEigenvalues(double[] h, int offset, int d) {
        DMatrixRMaj m = new DMatrixRMaj(d, d);
        System.arraycopy(h, offset, m.data, 0, d * d);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
        assertTrue(eig.decompose(m));
        double[] l = new double[d];
        for (int i = 0; i < d; i++) l[i] = eig.getEigenvalue(i).getReal();
        Arrays.sort(l);
        return l;
    }

    /** Largest |H − Hᵀ| over the heads of (H, d, d) maps. */
    private static double asymmetry(double[] h, int heads, int d) {
        double m = 0;
        for (int k = 0; k < heads; k++) {
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) m = Math.max(m, Math.abs(h[k * d * d + i * d + j] - h[k * d * d + j * d + i]));
        }
        return m;
    }

    /** After 100 AdamW steps towards random targets, H is still symmetric with its spectrum in the variant's range. */
    private static void spectrumStaysInItsRange(Spectrum spectrum, double lo, double hi) {
        SpectralAttention att = new SpectralAttention(D, HEADS, true, spectrum, Init.f32(1));
        double[] before = att.valueOutputMaps().toDoubleArray();
        Rng rng = new Rng(2);
        Tensor x = Tensor.randn(rng, DType.F32, B, T, D), target = Tensor.randn(rng, DType.F32, B, T, D).mul(3);
        AdamW opt = new AdamW(att.namedParameters(), new AdamWConfig(0.05, 0.9, 0.999, 1e-8, 0.0), Schedule.parse("constant", 100));
        for (int step = 0; step < 100; step++) {
            opt.zeroGrad();
            att.forward(x).mse(target).backward();
            opt.step();
        }
        double[] h = att.valueOutputMaps().toDoubleArray();
        double moved = 0;
        for (int i = 0; i < h.length; i++) moved = Math.max(moved, Math.abs(h[i] - before[i]));
        assertTrue(moved > 0.1, "training moved H by " + moved);
        assertTrue(asymmetry(h, HEADS, D) < 1e-5, "H symmetric");
        double[] lambda = att.eigenvalues().toDoubleArray();
        int atBound = 0;
        for (int k = 0; k < HEADS; k++) {
            double[] eig = symmetricEigenvalues(h, k * D * D, D);
            double[] expected = Arrays.copyOfRange(lambda, k * D, (k + 1) * D);
            Arrays.sort(expected);
            for (int i = 0; i < D; i++) {
                assertTrue(eig[i] >= lo - 1e-5 && eig[i] <= hi + 1e-5, spectrum + ": eigenvalue " + eig[i] + " outside [" + lo + ", " + hi + "]");
                assertEquals(expected[i], eig[i], 1e-5, "the spectrum of H is Λ");
                if (Math.abs(eig[i] - (spectrum == Spectrum.SHARPEN ? -1 : 1)) < 1e-6 || eig[i] > 1) atBound++;
            }
        }
        assertTrue(atBound > 0, spectrum + ": the targets pushed no eigenvalue to or past magnitude 1, so the range was not tested");
    }

    @Test
    void sharpeningSpectrumStaysInMinusOneToZero() {
        spectrumStaysInItsRange(Spectrum.SHARPEN, -1, 0);
    }

    @Test
    void smoothingSpectrumStaysNonNegative() {
        spectrumStaysInItsRange(Spectrum.SMOOTH, 0, Double.POSITIVE_INFINITY);
    }

    @Test
    void initialSpectrumIsSpreadOverItsRange() {
        SpectralAttention att = new SpectralAttention(64, 4, true, Spectrum.SHARPEN, Init.f32(3));
        double[] l = att.eigenvalues().toDoubleArray();
        double mean = Arrays.stream(l).average().orElseThrow();
        assertEquals(-0.5, mean, 0.05, "λ uniform on [−1, 0]");
        assertTrue(Arrays.stream(l).min().orElseThrow() < -0.95 && Arrays.stream(l).max().orElseThrow() > -0.05);
    }

    /** out = Σ_h A_h X H_h + (a bias row), with A_h read at hook_pattern: the maps are what the layer applies. */
    private static void outputIsTheSumOfHeadsThroughTheirMaps(SelfAttention att, Tensor bias) {
        Tensor x = Tensor.randn(new Rng(5), DType.F32, B, T, D);
        Tensor out;
        Tensor pattern;
        try (var c = att.hooks().capture("**hook_pattern")) {
            out = att.forward(x);
            pattern = c.values().values().iterator().next().get(0); // (B, H, T, T)
        }
        Tensor maps = att.valueOutputMaps(); // (H, D, D)
        Tensor expected = pattern.matmul(x.unsqueeze(1)).matmul(maps).sum(false, 1).add(bias); // (B, H, T, T) x (B, 1, T, D) x (H, D, D) -> (B, T, D)
        float[] a = out.toFloatArray(), e = expected.toFloatArray();
        for (int i = 0; i < a.length; i++) assertEquals(e[i], a[i], 1e-4, "element " + i);
    }

    @Test
    void spectralOutputIsTheSumOfHeadsThroughTheirMaps() {
        SpectralAttention att = new SpectralAttention(D, HEADS, true, Spectrum.SMOOTH, Init.f32(4));
        outputIsTheSumOfHeadsThroughTheirMaps(att, att.namedParameters().get("bias"));
    }

    @Test
    void baselineMapsAreTheProductsOfValueAndOutputBlocks() {
        VitAttention att = new VitAttention(D, HEADS, true, Init.f32(6));
        var p = att.namedParameters();
        // the value bias passes through A (rows sum to 1) and W_O: a constant row b_v W_Oᵀ… added to the output bias
        Tensor bias = p.get("attention.value.bias").reshape(1, D).matmulT(p.get("output.dense.weight")).reshape(D).add(p.get("output.dense.bias"));
        outputIsTheSumOfHeadsThroughTheirMaps(att, bias);
    }

    @Test
    void ensembleMembersEqualSingleModelsWithTheirSeeds() {
        long[] seeds = {7, 8};
        SpectralAttention ens = new SpectralAttention(D, HEADS, true, Spectrum.SHARPEN, Init.f32(seeds));
        Tensor x = Tensor.randn(new Rng(9), DType.F32, 2, B, T, D);
        Tensor out = ens.forward(x);
        out.mul(out).sum().backward();
        for (int e = 0; e < 2; e++) {
            SpectralAttention one = new SpectralAttention(D, HEADS, true, Spectrum.SHARPEN, Init.f32(seeds[e]));
            Tensor o = one.forward(x.slice(0, e, e + 1).reshape(B, T, D));
            o.mul(o).sum().backward();
            assertArrayEquals(o.toFloatArray(), out.slice(0, e, e + 1).toFloatArray(), "member " + e + " output");
            for (var entry : one.namedParameters().entrySet()) {
                Tensor g = ens.namedParameters().get(entry.getKey()).grad();
                assertArrayEquals(entry.getValue().grad().toFloatArray(), g.slice(0, e, e + 1).toFloatArray(), "member " + e + " gradient of " + entry.getKey());
            }
        }
    }
}
