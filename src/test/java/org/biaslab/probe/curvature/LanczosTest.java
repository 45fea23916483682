package org.biaslab.probe.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.biaslab.tensor.Rng;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class LanczosTest {
    /** A Hessian-like spectrum: a few outliers above a bulk around zero, some of it negative. */
    static double[] outliersAndBulk(int n, long seed) {
        Rng rng = new Rng(seed);
        double[] l = new double[n];
        double[] top = {60, 25, 12, 7, 4};
        for (int i = 0; i < n; i++) l[i] = i < top.length ? top[i] : -0.6 + 1.5 * rng.uniform();
        return l;
    }

    @Test
    void topEigenvaluesMatchTheDenseEigendecomposition() {
        DMatrixRMaj a = Dense.withEigenvalues(outliersAndBulk(80, 1), 2);
        double[] exact = Dense.eigenvalues(a);
        Dense.Matrices op = new Dense.Matrices(a);
        Lanczos.Result r = Lanczos.top(op, 5, false, 1e-10, 80, 3);
        for (int i = 0; i < 5; i++) {
            assertEquals(exact[i], r.eigenvalues()[0][i], 1e-8, "eigenvalue " + i);
            double[] x = r.eigenvectors()[0][i], ax = op.apply(new double[][] {x})[0];
            assertEquals(1, Vectors.norm(x), 1e-10);
            Vectors.axpy(-r.eigenvalues()[0][i], x, ax);
            assertTrue(Vectors.norm(ax) <= 1e-9 * 60, "residual of eigenvector " + i + ": " + Vectors.norm(ax));
        }
        assertEquals(r.products(), op.applications - 5); // the check above applied the operator 5 more times
        assertTrue(r.products() < 40, "outliers converge long before n steps: " + r.products());
    }

    @Test
    void theSmallestRitzValueConvergesToTheMostNegativeEigenvalue() {
        DMatrixRMaj a = Dense.withEigenvalues(new double[] {9, 5, 2, 1, 0.5, 0.2, 0, -0.1, -0.4, -3, 0.3, 0.7, 1.5, 2.5, -1}, 4);
        Lanczos.Result r = Lanczos.top(new Dense.Matrices(a), 1, true, 1e-10, 15, 5);
        assertEquals(-3, r.smallest()[0], 1e-8);
        assertEquals(9, r.eigenvalues()[0][0], 1e-8);
        assertTrue(r.smallestResidual()[0] <= 1e-9, "residual " + r.smallestResidual()[0]);
    }

    /** Member e of an operator over several matrices gets the spectrum of its own matrix. */
    @Test
    void ensembleMembersStepInLockstepOnTheirOwnMatrices() {
        DMatrixRMaj a = Dense.withEigenvalues(outliersAndBulk(40, 6), 7), b = Dense.withEigenvalues(outliersAndBulk(40, 8), 9);
        org.ejml.dense.row.CommonOps_DDRM.scale(0.5, b);
        Dense.Matrices both = new Dense.Matrices(a, b);
        Lanczos.Result r = Lanczos.top(both, 3, false, 1e-10, 40, 10);
        double[] ea = Dense.eigenvalues(a), eb = Dense.eigenvalues(b);
        for (int i = 0; i < 3; i++) {
            assertEquals(ea[i], r.eigenvalues()[0][i], 1e-8);
            assertEquals(eb[i], r.eigenvalues()[1][i], 1e-8);
        }
        assertEquals(r.products(), both.applications, "one application serves both members");
    }

    /** With three distinct eigenvalues the Krylov space is exhausted after three steps, and the Ritz values are exact. */
    @Test
    void anExhaustedKrylovSpaceGivesExactEigenvalues() {
        double[] l = new double[30];
        for (int i = 0; i < 30; i++) l[i] = new double[] {4, 1, -2}[i % 3];
        Lanczos.Result r = Lanczos.top(new Dense.Matrices(Dense.withEigenvalues(l, 11)), 3, true, 1e-12, 30, 12);
        assertEquals(3, r.products());
        assertEquals(4, r.eigenvalues()[0][0], 1e-12);
        assertEquals(1, r.eigenvalues()[0][1], 1e-12);
        assertEquals(-2, r.eigenvalues()[0][2], 1e-12);
        assertEquals(-2, r.smallest()[0], 1e-12);
    }

    /**
     * On a spectrum like P1's Hessian (one outlier far above a few smaller ones and a bulk) the gap rule stops sooner
     * than the residual rule, with the top eigenvalue within the tolerance, from any of ten random starts; from the
     * second step on, each step's estimate min(r, r²/δ) lies within a factor of 2 of the true error.
     */
    @Test
    void theGapRuleStopsSoonerWithTheEigenvalueWithinTolerance() {
        double[] l = outliersAndBulk(300, 21);
        l[0] = 280;
        l[1] = 40;
        DMatrixRMaj a = Dense.withEigenvalues(l, 22);
        double top = Dense.eigenvalues(a)[0];
        int saved = 0;
        for (long seed = 0; seed < 10; seed++) {
            Lanczos.Result residual = Lanczos.top(new Dense.Matrices(a), 1, false, Lanczos.Stop.RESIDUAL, 1e-3, 100, seed);
            Lanczos.Result gap = Lanczos.top(new Dense.Matrices(a), 1, false, Lanczos.Stop.GAP, 1e-3, 100, seed);
            assertTrue(gap.products() <= residual.products());
            saved += residual.products() - gap.products();
            assertTrue(Math.abs(gap.eigenvalues()[0][0] - top) <= 1e-3 * top, "error " + Math.abs(gap.eigenvalues()[0][0] - top) / top);
            Lanczos lz = Lanczos.random(new Dense.Matrices(a), seed);
            for (int m = 1; m <= 6; m++) {
                lz.step();
                Lanczos.Ritz r = lz.ritz(0);
                double error = Math.abs(r.values()[0] - top), estimate = r.error(0);
                if (m >= 2) assertTrue(estimate <= 2 * error + 1e-10 && error <= 2 * estimate + 1e-10, "seed " + seed + ", step " + m
                        + ": estimate " + estimate + ", error " + error);
            }
        }
        assertTrue(saved >= 5, "products saved over ten starts: " + saved);
        assertEquals(Lanczos.Stop.GAP, Lanczos.Stop.parse("Gap"));
        assertThrows(IllegalArgumentException.class, () -> Lanczos.Stop.parse("change"));
    }

    /** The lane sums give the serial sum's value to rounding, at lengths with and without a tail. */
    @Test
    void vectorisedDotAndAxpyAgreeWithSerialSums() {
        Rng rng = new Rng(31);
        for (int n : new int[] {1, 7, 64, 203_521}) {
            double[] x = Vectors.gaussian(rng, n), y = Vectors.gaussian(rng, n), z = y.clone();
            double serial = 0, size = 0;
            for (int i = 0; i < n; i++) {
                serial += x[i] * y[i];
                size += Math.abs(x[i] * y[i]);
            }
            assertEquals(serial, Vectors.dot(x, y), 1e-14 * size, "n " + n);
            Vectors.axpy(-0.5, x, z);
            for (int i = 0; i < n; i++) assertEquals(y[i] - 0.5 * x[i], z[i], 1e-15 * (Math.abs(y[i]) + Math.abs(x[i])));
        }
    }

    @Test
    void badSettingsAreRefused() {
        Dense.Matrices op = new Dense.Matrices(Dense.diagonal(1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Lanczos.top(op, 0, false, 1e-6, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> Lanczos.top(op, 2, false, 1e-6, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Lanczos(op, new double[][] {{0, 0, 0}}));
    }
}
