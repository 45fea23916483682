package org.biaslab.probe.curvature;

import java.util.ArrayList;
import java.util.List;
import org.biaslab.tensor.Rng;

/**
 * Power iteration with deflation, PyHessian's algorithm, as a cross-check of {@link Lanczos}: for i = 1..k, from a
 * random unit v kept orthogonal to the eigenvectors already found, repeat w = A v, λ = vᵀw, v = w/‖w‖ until λ changes
 * by at most {@code tol}·|λ| between iterations. It finds the eigenvalues of largest magnitude (the top ones for a
 * Hessian at a minimum), converging at the rate |λ_{i+1}/λ_i| per product, where Lanczos needs far fewer.
 */
public final class PowerIteration {
    private PowerIteration() {}

    /**
     * @param eigenvalues  [E][k] in the order found (descending magnitude)
     * @param eigenvectors [E][k][n]
     * @param products     operator applications
     */
    public record Result(double[][] eigenvalues, double[][][] eigenvectors, int products) {}

    /** The k eigenpairs of largest magnitude of every member, each eigenvalue iterated at most {@code maxIterations} times. */
    public static Result top(LinearOperator a, int k, double tol, int maxIterations, long seed) {
        if (k < 1 || k > a.dim()) throw new IllegalArgumentException("power iteration: k must be in 1.." + a.dim() + ", got " + k);
        int members = a.members();
        Rng[] rng = Vectors.generators(members, seed);
        List<List<double[]>> found = new ArrayList<>();
        for (int e = 0; e < members; e++) found.add(new ArrayList<>());
        double[][] values = new double[members][k];
        int products = 0;
        for (int i = 0; i < k; i++) {
            double[][] v = new double[members][];
            double[] lambda = new double[members];
            boolean[] done = new boolean[members];
            for (int e = 0; e < members; e++) {
                v[e] = Vectors.gaussian(rng[e], a.dim());
                Vectors.orthogonalise(v[e], found.get(e));
                Vectors.normalise(v[e]);
                lambda[e] = Double.NaN;
            }
            for (int it = 0; it < maxIterations && !allTrue(done); it++) {
                double[][] w = a.apply(v);
                products++;
                for (int e = 0; e < members; e++) {
                    if (done[e]) continue;
                    double l = Vectors.dot(v[e], w[e]);
                    Vectors.orthogonalise(w[e], found.get(e)); // deflation: stay in the complement of what is found
                    double norm = Vectors.norm(w[e]);
                    done[e] = Math.abs(l - lambda[e]) <= tol * Math.abs(l) || norm == 0;
                    lambda[e] = l;
                    if (norm > 0) for (int j = 0; j < w[e].length; j++) v[e][j] = w[e][j] / norm;
                }
            }
            for (int e = 0; e < members; e++) {
                values[e][i] = lambda[e];
                found.get(e).add(v[e]);
            }
        }
        double[][][] vectors = new double[members][][];
        for (int e = 0; e < members; e++) vectors[e] = found.get(e).toArray(double[][]::new);
        return new Result(values, vectors, products);
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean x : b) if (!x) return false;
        return true;
    }
}
