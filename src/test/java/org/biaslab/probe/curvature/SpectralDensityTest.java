package org.biaslab.probe.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.biaslab.tensor.Rng;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class SpectralDensityTest {
    /** m Lanczos steps from v give a Gauss quadrature: Σ τ_i θ_i^j = vᵀAʲv exactly for j ≤ 2m − 1, not beyond. */
    @Test
    void quadratureMomentsAreExactUpToDegreeTwoMMinusOne() {
        double[] spread = new double[40];
        for (int i = 0; i < spread.length; i++) spread[i] = -1 + 3.0 * i / 39; // no outlier that a few nodes would capture alone
        DMatrixRMaj a = Dense.withEigenvalues(spread, 42);
        Dense.Matrices op = new Dense.Matrices(a);
        double[] v = Vectors.gaussian(new Rng(43), 40);
        Vectors.normalise(v);
        int m = 6;
        SpectralDensity.Quadrature q = SpectralDensity.gauss(op, new double[][] {v}, m);
        double[] power = v.clone();
        for (int j = 0; j <= 2 * m; j++) {
            double exact = Vectors.dot(v, power); // vᵀ Aʲ v
            double error = Math.abs(q.moment(0, j) - exact) / Math.max(1, Math.abs(exact));
            if (j <= 2 * m - 1) assertTrue(error < 1e-9, "moment " + j + ": " + q.moment(0, j) + " vs " + exact);
            else assertTrue(error > 1e-6, "moment " + j + " should not be exact: " + error);
            power = op.apply(new double[][] {power})[0];
        }
    }

    /**
     * On diag(d) with distinct entries, n steps from a Rademacher vector find every d_i with weight z_i²/n = 1/n: SLQ
     * recovers the spectral measure exactly, and its smoothed density integrates to 1.
     */
    @Test
    void aDiagonalMatrixGivesItsExactSpectralMeasureAndADensityOfMassOne() {
        double[] d = {-1.5, -0.2, 0.1, 0.4, 1, 2.5, 3, 7};
        SpectralDensity.Quadrature q = SpectralDensity.estimate(new Dense.Matrices(Dense.diagonal(d)), 8, 1, 44);
        double[] nodes = q.nodes()[0].clone(), weights = q.weights()[0];
        Arrays.sort(nodes);
        for (int i = 0; i < d.length; i++) {
            assertEquals(d[i], nodes[i], 1e-10);
            assertEquals(1.0 / d.length, weights[i], 1e-10);
        }
        double sigma = 0.3;
        double[] grid = SpectralDensity.grid(nodes, 8 * sigma, 4001);
        double[] density = SpectralDensity.density(q.nodes()[0], weights, grid, sigma);
        double mass = 0;
        for (int i = 1; i < grid.length; i++) mass += 0.5 * (density[i] + density[i - 1]) * (grid[i] - grid[i - 1]);
        assertEquals(1, mass, 1e-9);
    }

    /** Pooled over start vectors the weights still sum to 1, and the first moment estimates tr(A)/n. */
    @Test
    void pooledWeightsSumToOneAndTheMeanEstimatesTheNormalisedTrace() {
        double[] d = new double[200];
        for (int i = 0; i < d.length; i++) d[i] = Math.sin(i) * 3;
        SpectralDensity.Quadrature q = SpectralDensity.estimate(new Dense.Matrices(Dense.diagonal(d)), 10, 3, 45);
        assertEquals(30, q.products());
        assertEquals(1, q.moment(0, 0), 1e-12);
        assertEquals(Arrays.stream(d).sum() / d.length, q.moment(0, 1), 1e-10); // Rademacher: zᵀ diag(d) z / n is exact
    }
}
