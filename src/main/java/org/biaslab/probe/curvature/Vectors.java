package org.biaslab.probe.curvature;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.biaslab.tensor.Rng;

/**
 * The dense vector arithmetic of the algorithms, on double[] in place where the name says so, in SIMD lanes: a
 * serial sum over P1's 203,521 parameters took about 0.2 ms per dot product, and Lanczos' reorthogonalisation takes
 * 4m of them at step m, as much host time per eigenvalue as a GPU product.
 */
final class Vectors {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    private Vectors() {}

    /** Σ a_i b_i, summed in lanes (two accumulators of S's width), then across them: a fixed order for a given length. */
    static double dot(double[] a, double[] b) {
        int n = a.length, w = S.length(), i = 0;
        DoubleVector s0 = DoubleVector.zero(S), s1 = DoubleVector.zero(S);
        for (; i <= n - 2 * w; i += 2 * w) {
            s0 = DoubleVector.fromArray(S, a, i).fma(DoubleVector.fromArray(S, b, i), s0);
            s1 = DoubleVector.fromArray(S, a, i + w).fma(DoubleVector.fromArray(S, b, i + w), s1);
        }
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s = Math.fma(a[i], b[i], s);
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** y ← y + c·x. */
    static void axpy(double c, double[] x, double[] y) {
        int n = y.length, i = 0;
        DoubleVector cv = DoubleVector.broadcast(S, c);
        for (; i <= n - S.length(); i += S.length()) DoubleVector.fromArray(S, x, i).fma(cv, DoubleVector.fromArray(S, y, i)).intoArray(y, i);
        for (; i < n; i++) y[i] = Math.fma(c, x[i], y[i]);
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
