package org.biaslab.probe.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class PowerIterationTest {
    /** Deflated power iteration finds the same top eigenvalues as Lanczos (and the dense solver), with more products. */
    @Test
    void agreesWithLanczosAndTheDenseSolverOnTheTopEigenvalues() {
        DMatrixRMaj a = Dense.withEigenvalues(LanczosTest.outliersAndBulk(60, 21), 22);
        double[] exact = Dense.eigenvalues(a);
        PowerIteration.Result p = PowerIteration.top(new Dense.Matrices(a), 3, 1e-12, 2000, 23);
        Lanczos.Result l = Lanczos.top(new Dense.Matrices(a), 3, false, 1e-8, 60, 23);
        for (int i = 0; i < 3; i++) {
            assertEquals(exact[i], p.eigenvalues()[0][i], 1e-8 * exact[0], "power iteration, eigenvalue " + i);
            assertEquals(l.eigenvalues()[0][i], p.eigenvalues()[0][i], 1e-8 * exact[0], "against Lanczos, eigenvalue " + i);
            assertEquals(1, Math.abs(Vectors.dot(p.eigenvectors()[0][i], l.eigenvectors()[0][i])), 1e-6, "eigenvector " + i);
        }
        assertTrue(p.products() > 2 * l.products(), "power " + p.products() + " vs Lanczos " + l.products() + " products");
    }

    @Test
    void membersConvergeOnTheirOwnMatrices() {
        DMatrixRMaj a = Dense.diagonal(5, 3, 1, 0.5), b = Dense.diagonal(-8, 2, 1, 0.1);
        PowerIteration.Result p = PowerIteration.top(new Dense.Matrices(a, b), 2, 1e-13, 5000, 24);
        assertEquals(5, p.eigenvalues()[0][0], 1e-9);
        assertEquals(3, p.eigenvalues()[0][1], 1e-9);
        assertEquals(-8, p.eigenvalues()[1][0], 1e-9); // largest magnitude, negative
        assertEquals(2, p.eigenvalues()[1][1], 1e-9);
    }
}
