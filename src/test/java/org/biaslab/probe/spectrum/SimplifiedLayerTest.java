package org.biaslab.probe.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.biaslab.probe.spectrum.Dominance.Kind;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.junit.jupiter.api.Test;

class SimplifiedLayerTest {
    private static DMatrixRMaj gaussian(SplittableRandom rng, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) m.data[i] = nextGaussian(rng);
        return m;
    }

    private static double nextGaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** softmax of the rows of S: row-stochastic; with a symmetric S it is similar to a symmetric matrix, so its spectrum is real. */
    private static DMatrixRMaj softmaxRows(DMatrixRMaj s) {
        DMatrixRMaj a = new DMatrixRMaj(s.numRows, s.numCols);
        for (int r = 0; r < s.numRows; r++) {
            double sum = 0;
            for (int c = 0; c < s.numCols; c++) sum += Math.exp(s.get(r, c));
            for (int c = 0; c < s.numCols; c++) a.set(r, c, Math.exp(s.get(r, c)) / sum);
        }
        return a;
    }

    /** Q diag(λ) Qᵀ for a random orthogonal Q. */
    private static DMatrixRMaj symmetric(SplittableRandom rng, double... lambda) {
        var qr = DecompositionFactory_DDRM.qr(lambda.length, lambda.length);
        qr.decompose(gaussian(rng, lambda.length, lambda.length));
        DMatrixRMaj q = qr.getQ(null, false);
        DMatrixRMaj ql = q.copy();
        CommonOps_DDRM.multCols(ql, lambda);
        return CommonOps_DDRM.multTransB(ql, q, null);
    }

    @Test
    void theUpdateMatrixActsOnColumnStackedX() {
        SplittableRandom rng = new SplittableRandom(1);
        DMatrixRMaj a = softmaxRows(gaussian(rng, 4, 4)), h = gaussian(rng, 3, 3), x = gaussian(rng, 4, 3);
        DMatrixRMaj vec = new DMatrixRMaj(12, 1);
        for (int c = 0; c < 3; c++) for (int r = 0; r < 4; r++) vec.set(c * 4 + r, 0, x.get(r, c));
        DMatrixRMaj y = CommonOps_DDRM.mult(SimplifiedLayer.update(a, h), vec, null), step = SimplifiedLayer.step(a, h, x);
        for (int c = 0; c < 3; c++) for (int r = 0; r < 4; r++) assertEquals(step.get(r, c), y.get(c * 4 + r, 0), 1e-12);
    }

    @Test
    void theUpdateSpectrumIsThePairwiseProducts() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int trial = 0; trial < 5; trial++) {
            // non-symmetric A and H: complex eigenvalues on both sides
            DMatrixRMaj a = softmaxRows(gaussian(rng, 5, 5)), h = gaussian(rng, 4, 4);
            SpectraAssert.sameMultiset(SimplifiedLayer.spectrum(Eigen.values(a), Eigen.values(h)), Eigen.values(SimplifiedLayer.update(a, h)), 1e-8);
        }
    }

    @Test
    void positiveHConvergesToIdenticalTokens() {
        SplittableRandom rng = new SplittableRandom(3);
        DMatrixRMaj s = gaussian(rng, 6, 6), a = softmaxRows(CommonOps_DDRM.add(s, CommonOps_DDRM.transpose(s, null), null));
        DMatrixRMaj h = symmetric(rng, 0.9, 0.5, 0.3, 0.1);
        SimplifiedLayer.Prediction p = SimplifiedLayer.predict(a, h, Dominance.TOLERANCE);
        assertEquals(Kind.SMOOTHING, p.dominance().kind());
        assertEquals(1, p.lambdaA().real, 1e-12);
        DMatrixRMaj x = SimplifiedLayer.iterate(a, h, gaussian(rng, 6, 4), 200);
        assertEquals(1, SimplifiedLayer.alignment(x, p.direction()), 1e-9);
        for (int r = 1; r < 6; r++) for (int c = 0; c < 4; c++) assertEquals(x.get(0, c), x.get(r, c), 1e-6, "every token the same");
    }

    @Test
    void hInMinusOneToZeroConvergesToANonConstantRankOneDirection() {
        SplittableRandom rng = new SplittableRandom(4);
        DMatrixRMaj s = gaussian(rng, 6, 6), a = softmaxRows(CommonOps_DDRM.add(s, CommonOps_DDRM.transpose(s, null), null));
        DMatrixRMaj h = symmetric(rng, -0.9, -0.5, -0.3, -0.1);
        SimplifiedLayer.Prediction p = SimplifiedLayer.predict(a, h, Dominance.TOLERANCE);
        assertEquals(Kind.SHARPENING, p.dominance().kind());
        assertEquals(-0.9, p.lambdaH().real, 1e-9);
        DMatrixRMaj x = SimplifiedLayer.iterate(a, h, gaussian(rng, 6, 4), 2000);
        assertEquals(1, SimplifiedLayer.alignment(x, p.direction()), 1e-9);
        double[] sv = org.ejml.dense.row.SingularOps_DDRM.singularValues(x.copy());
        java.util.Arrays.sort(sv);
        assertTrue(sv[sv.length - 2] < 1e-6 * sv[sv.length - 1], "rank one");
    }

    @Test
    void hBelowMinusOneSmoothsWithAlternatingSign() {
        DMatrixRMaj a = new DMatrixRMaj(new double[][] {{0.75, 0.25}, {0.25, 0.75}}), h = new DMatrixRMaj(new double[][] {{-3}});
        SimplifiedLayer.Prediction p = SimplifiedLayer.predict(a, h, Dominance.TOLERANCE);
        assertEquals(Kind.SMOOTHING, p.dominance().kind());
        DMatrixRMaj x = SimplifiedLayer.iterate(a, h, new DMatrixRMaj(new double[][] {{1}, {0.2}}), 60);
        assertEquals(1, SimplifiedLayer.alignment(x, p.direction()), 1e-12);
        assertEquals(x.get(0, 0), x.get(1, 0), 1e-12);
    }
}
