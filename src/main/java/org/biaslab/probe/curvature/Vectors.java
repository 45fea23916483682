package org.biaslab.probe.curvature;

import org.biaslab.tensor.Rng;

/** The dense vector arithmetic of the algorithms, on double[] in place where the name says so. */
final class Vectors {
    private Vectors() {}

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** y ← y + c·x. */
    static void axpy(double c, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += c * x[i];
    }

    /** x ← x / ‖x‖; returns ‖x‖. */
    static double normalise(double[] x) {
        double n = norm(x);
        for (int i = 0; i < x.length; i++) x[i] /= n;
        return n;
    }

    /** w ← w − Σ_b (bᵀw) b over orthonormal {@code basis}, twice (classical Gram-Schmidt, reorthogonalised). */
    static void orthogonalise(double[] w, Iterable<double[]> basis) {
        for (int pass = 0; pass < 2; pass++) for (double[] b : basis) axpy(-dot(b, w), b, w);
    }

    /** Independent ±1 entries. */
    static double[] rademacher(Rng rng, int n) {
        double[] z = new double[n];
        for (int i = 0; i < n; i++) z[i] = rng.uniform() < 0.5 ? -1 : 1;
        return z;
    }

    static double[] gaussian(Rng rng, int n) {
        double[] z = new double[n];
        for (int i = 0; i < n; i++) z[i] = rng.normal();
        return z;
    }

    /** One generator per member, all seeded alike, so member e draws what a single model with that seed draws. */
    static Rng[] generators(int members, long seed) {
        Rng[] g = new Rng[members];
        for (int e = 0; e < members; e++) g[e] = new Rng(seed);
        return g;
    }
}
