package org.biaslab.probe.smoothing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.biaslab.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class SmoothingTest {
    @Test
    void identicalTokensAreFullySmoothed() {
        Smoothing s = Smoothing.of(new DMatrixRMaj(new double[][] {{1, -2, 3}, {1, -2, 3}, {1, -2, 3}}));
        assertEquals(1, s.cosine(), 1e-12);
        assertEquals(0, s.hfcLfc(), 1e-12);
        assertEquals(0, s.rankOneDistance(), 1e-6);
    }

    @Test
    void positivelyScaledTokensHaveCosineOneButAHighFrequencyPart() {
        Smoothing s = Smoothing.of(new DMatrixRMaj(new double[][] {{1, 2}, {3, 6}}));
        assertEquals(1, s.cosine(), 1e-12);
        // mean token (2, 4); HC rows ∓(1, 2): ‖HC‖ / ‖DC‖ = √10 / √40
        assertEquals(0.5, s.hfcLfc(), 1e-12);
        assertEquals(0, s.rankOneDistance(), 1e-6);
    }

    @Test
    void oppositeTokensAreCollinearWithCosineMinusOne() {
        Smoothing s = Smoothing.of(new DMatrixRMaj(new double[][] {{1, 2}, {-1, -2}, {1, 2}}));
        assertEquals(-1.0 / 3, s.cosine(), 1e-12); // pairs: −1, 1, −1
        assertEquals(0, s.rankOneDistance(), 1e-6);
    }

    @Test
    void orthogonalTokens() {
        Smoothing s = Smoothing.of(new DMatrixRMaj(new double[][] {{1, 0}, {0, 1}}));
        assertEquals(0, s.cosine(), 1e-12);
        assertEquals(Math.sqrt(0.5), s.rankOneDistance(), 1e-12); // σ = (1, 1)
    }

    @Test
    void aBatchIsMeasuredOnEachInputsRealTokens() {
        // input 0: three identical tokens; input 1: two orthogonal tokens and one padded garbage row
        Tensor h = Tensor.of(new double[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 5, -7}, 2, 3, 2);
        Tensor mask = Tensor.ofInts(new int[] {1, 1, 1, 1, 1, 0}, 2, 3);
        Smoothing s = Smoothing.of(h, mask);
        assertEquals(0.5, s.cosine(), 1e-12); // (1 + 0) / 2
        assertEquals(Math.sqrt(0.5) / 2, s.rankOneDistance(), 1e-9);
    }

    @Test
    void asymmetryIsZeroForSymmetricAndAboutOneForGaussianMatrices() {
        assertEquals(0, Asymmetry.of(new DMatrixRMaj(new double[][] {{1, 2}, {2, -3}})), 0);
        SplittableRandom rng = new SplittableRandom(5);
        DMatrixRMaj g = new DMatrixRMaj(192, 192);
        for (int i = 0; i < g.data.length; i++) g.data[i] = Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
        assertEquals(1, Asymmetry.of(g), 0.02); // the symmetric and antisymmetric parts have the same expected norm
        assertTrue(Double.isInfinite(Asymmetry.of(new DMatrixRMaj(new double[][] {{0, 1}, {-1, 0}}))));
    }
}
