package org.biaslab.probe.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.biaslab.tensor.Rng;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class TraceTest {
    /** zᵀ diag(d) z = Σ d_i z_i² = Σ d_i for every Rademacher z: one sample is exact, with zero spread. */
    @Test
    void hutchinsonIsExactOnADiagonalMatrix() {
        Rng rng = new Rng(31);
        double[] d = new double[50];
        double sum = 0;
        for (int i = 0; i < d.length; i++) sum += d[i] = rng.normal();
        Trace.Estimate one = Trace.hutchinson(new Dense.Matrices(Dense.diagonal(d)), 1, 32);
        assertEquals(sum, one.trace()[0], 1e-12);
        Trace.Estimate five = Trace.hutchinson(new Dense.Matrices(Dense.diagonal(d)), 5, 33);
        assertEquals(sum, five.trace()[0], 1e-12);
        assertEquals(0, five.stderr()[0], 1e-12);
        assertEquals(5, five.products());
    }

    /** A rank-4 matrix is captured whole by a sketch of 5 columns: Hutch++ is exact. */
    @Test
    void hutchPlusPlusIsExactForLowRank() {
        double[] l = new double[40];
        double[] top = {6, -2, 3, 1};
        System.arraycopy(top, 0, l, 0, 4);
        DMatrixRMaj a = Dense.withEigenvalues(l, 34);
        Trace.Estimate t = Trace.hutchPlusPlus(new Dense.Matrices(a), 15, 35);
        assertEquals(8, t.trace()[0], 1e-10);
        assertEquals(15, t.products());
    }

    /** Hutchinson is unbiased with the variance 2(‖A‖_F² − Σ a_ii²)/s its standard error estimates. */
    @Test
    void hutchinsonIsUnbiasedAndItsStandardErrorIsRight() {
        DMatrixRMaj a = Dense.withEigenvalues(LanczosTest.outliersAndBulk(30, 36), 37);
        double fro = 0, diag = 0;
        for (int i = 0; i < 30; i++) {
            diag += a.get(i, i) * a.get(i, i);
            for (int j = 0; j < 30; j++) fro += a.get(i, j) * a.get(i, j);
        }
        int s = 4000;
        double expectedSe = Math.sqrt(2 * (fro - diag) / s);
        Trace.Estimate t = Trace.hutchinson(new Dense.Matrices(a), s, 38);
        assertEquals(expectedSe, t.stderr()[0], 0.1 * expectedSe);
        assertEquals(Dense.trace(a), t.trace()[0], 4 * expectedSe);
    }

    /** With a decaying spectrum (λ_i = 1/i²), Hutch++ at 30 products has a far smaller error than Hutchinson at 30. */
    @Test
    void hutchPlusPlusBeatsHutchinsonOnADecayingSpectrum() {
        double[] l = new double[100];
        for (int i = 0; i < l.length; i++) l[i] = 1.0 / ((i + 1) * (i + 1));
        DMatrixRMaj a = Dense.withEigenvalues(l, 39);
        double exact = Dense.trace(a), hutch = 0, plus = 0;
        for (long seed = 0; seed < 20; seed++) {
            hutch += Math.pow(Trace.hutchinson(new Dense.Matrices(a), 30, seed).trace()[0] - exact, 2);
            plus += Math.pow(Trace.hutchPlusPlus(new Dense.Matrices(a), 30, seed).trace()[0] - exact, 2);
        }
        assertTrue(plus < hutch / 10, "mean squared errors: Hutch++ " + plus / 20 + ", Hutchinson " + hutch / 20);
    }

    @Test
    void membersGetTheirOwnTraces() {
        Trace.Estimate t = Trace.hutchinson(new Dense.Matrices(Dense.diagonal(1, 2, 3), Dense.diagonal(-1, 4, 0)), 2, 40);
        assertEquals(6, t.trace()[0], 1e-12);
        assertEquals(3, t.trace()[1], 1e-12);
    }

    @Test
    void badBudgetsAreRefused() {
        Dense.Matrices op = new Dense.Matrices(Dense.diagonal(1, 2));
        assertThrows(IllegalArgumentException.class, () -> Trace.hutchinson(op, 0, 0));
        var e = assertThrows(IllegalArgumentException.class, () -> Trace.hutchPlusPlus(op, 10, 0));
        assertTrue(e.getMessage().contains("multiple of 3"), e.getMessage());
    }
}
