package org.biaslab.probe.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.biaslab.probe.spectrum.Dominance.Kind;
import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Hand-worked cases of papers.md §P2.2 (A row-stochastic with eigenvalues 1 and 0.5, scalar H = h). */
class DominanceTest {
    /** Row-stochastic, eigenvalues 1 (eigenvector (1, 1)) and 0.5 (eigenvector (1, −1)). */
    private static final DMatrixRMaj A = new DMatrixRMaj(new double[][] {{0.75, 0.25}, {0.25, 0.75}});

    private static Dominance scalar(double h) {
        return Dominance.of(Eigen.values(A), new Complex_F64[] {new Complex_F64(h, 0)}, Dominance.TOLERANCE);
    }

    @Test
    void positiveHSmooths() {
        Dominance d = scalar(0.5);
        assertEquals(Kind.SMOOTHING, d.kind());
        assertEquals(1.5, d.modulus(), 1e-12); // 1 + 1 · 0.5 beats 1 + 0.5 · 0.5
    }

    @Test
    void hInMinusOneToZeroSharpens() {
        for (double h : new double[] {-0.1, -0.5, -1}) {
            Dominance d = scalar(h);
            assertEquals(Kind.SHARPENING, d.kind(), "h = " + h);
            assertEquals(1 + 0.5 * h, d.modulus(), 1e-12, "h = " + h); // 1 + 0.5h ≥ |1 + h|
        }
    }

    @Test
    void hBelowMinusOneBringsTheConstantModeBack() {
        assertEquals(Kind.SMOOTHING, scalar(-1.5).kind()); // {−0.5, 0.25}
        assertEquals(0.5, scalar(-1.5).modulus(), 1e-12);
        assertEquals(Kind.SMOOTHING, scalar(-3).kind());   // {−2, −0.5}
        assertEquals(2, scalar(-3).modulus(), 1e-12);
    }

    @Test
    void balancedMagnitudesTie() {
        assertEquals(Kind.TIED, scalar(-4.0 / 3).kind()); // {−1/3, 1/3}
    }

    @Test
    void aComplexPairOfHKeepsTheConstantModeOfA() {
        // H = [[0, −b], [b, 0]] has eigenvalues ±ib: |1 ± ib| tie, both at λ^A = 1, so tokens still converge to one vector
        DMatrixRMaj h = new DMatrixRMaj(new double[][] {{0, -0.8}, {0.8, 0}});
        Dominance d = Dominance.of(Eigen.values(A), Eigen.values(h), Dominance.TOLERANCE);
        assertEquals(Kind.SMOOTHING, d.kind());
        assertEquals(Math.hypot(1, 0.8), d.modulus(), 1e-12);
    }

    @Test
    void aComplexPairOfATies() {
        // a damped 3-cycle plus uniform mixing: eigenvalues 1 and 0.9·e^{±2πi/3}; with h = −1 the conjugate pair dominates
        double e = 0.1 / 3;
        DMatrixRMaj cycle = new DMatrixRMaj(new double[][] {{e, 0.9 + e, e}, {e, e, 0.9 + e}, {0.9 + e, e, e}});
        Dominance d = Dominance.of(Eigen.values(cycle), new Complex_F64[] {new Complex_F64(-1, 0)}, Dominance.TOLERANCE);
        assertEquals(Kind.TIED, d.kind());
        assertEquals(Math.hypot(1 + 0.45, 0.9 * Math.sqrt(3) / 2), d.modulus(), 1e-9);
    }

    @Test
    void aZeroEigenvalueOfHTiesEveryModeOfA() {
        // h ∈ {0, −0.2}: 1 + λ^A · 0 = 1 for both λ^A beats 1 − 0.2 · 0.5 = 0.9
        Dominance d = Dominance.of(Eigen.values(A), new Complex_F64[] {new Complex_F64(0, 0), new Complex_F64(-0.2, 0)}, Dominance.TOLERANCE);
        assertEquals(Kind.TIED, d.kind());
    }
}
