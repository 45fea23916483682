package org.biaslab.probe.curvature;

import org.biaslab.tensor.Rng;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * Stochastic trace estimators from operator applications alone. Hutchinson: tr A ≈ (1/s) Σ_j z_jᵀ A z_j with
 * Rademacher z (unbiased; exact for diagonal A, since z_i² = 1). Hutch++ (Meyer, Musco, Musco and Woodruff 2021)
 * spends a third of its m products on a sketch of A's range: Q = orth(A S), tr A ≈ tr(Qᵀ A Q) +
 * (3/m) Σ_j g_jᵀ (I − QQᵀ) A (I − QQᵀ) g_j; exact when A's rank is at most m/3, and with error O(1/m) rather than
 * Hutchinson's O(1/√m) when the spectrum decays, as a Hessian's does.
 */
public final class Trace {
    private Trace() {}

    /**
     * @param trace    [E] estimates of tr A_e
     * @param stderr   [E] standard errors of the random part (Hutchinson: sd/√s of its s samples; Hutch++: of the
     *                 residual part); 0 with a single sample
     * @param products operator applications
     */
    public record Estimate(double[] trace, double[] stderr, int products) {}

    /** Hutchinson's estimate from {@code samples} Rademacher vectors (one product each). */
    public static Estimate hutchinson(LinearOperator a, int samples, long seed) {
        if (samples < 1) throw new IllegalArgumentException("hutchinson: needs at least one sample, got " + samples);
        int members = a.members();
        Rng[] rng = Vectors.generators(members, seed);
        double[][] q = new double[members][samples];
        for (int j = 0; j < samples; j++) {
            double[][] z = new double[members][];
            for (int e = 0; e < members; e++) z[e] = Vectors.rademacher(rng[e], a.dim());
            double[][] az = a.apply(z);
            for (int e = 0; e < members; e++) q[e][j] = Vectors.dot(z[e], az[e]);
        }
        return summarise(new double[members], q, samples);
    }

    /** Hutch++ with {@code products} operator applications (a multiple of 3, at least 3). */
    public static Estimate hutchPlusPlus(LinearOperator a, int products, long seed) {
        if (products < 3 || products % 3 != 0) throw new IllegalArgumentException("hutch++: products must be a positive multiple of 3, got " + products);
        int members = a.members(), n = a.dim(), s = Math.min(products / 3, n);
        Rng[] rng = Vectors.generators(members, seed);
        double[][][] sketch = new double[members][s][];
        for (int j = 0; j < s; j++) {
            double[][] z = new double[members][];
            for (int e = 0; e < members; e++) z[e] = Vectors.rademacher(rng[e], n);
            double[][] az = a.apply(z);
            for (int e = 0; e < members; e++) sketch[e][j] = az[e];
        }
        double[][][] q = new double[members][][];
        for (int e = 0; e < members; e++) q[e] = orthonormalColumns(sketch[e], n);
        double[] low = new double[members];
        for (int j = 0; j < s; j++) {
            double[][] col = new double[members][];
            for (int e = 0; e < members; e++) col[e] = q[e][j];
            double[][] aq = a.apply(col);
            for (int e = 0; e < members; e++) low[e] += Vectors.dot(col[e], aq[e]);
        }
        double[][] rest = new double[members][s];
        for (int j = 0; j < s; j++) {
            double[][] g = new double[members][];
            for (int e = 0; e < members; e++) {
                g[e] = Vectors.rademacher(rng[e], n);
                for (double[] qi : q[e]) Vectors.axpy(-Vectors.dot(qi, g[e]), qi, g[e]); // (I − QQᵀ) g
            }
            double[][] ag = a.apply(g);
            for (int e = 0; e < members; e++) rest[e][j] = Vectors.dot(g[e], ag[e]);
        }
        return summarise(low, rest, 3 * s);
    }

    /** base + the mean of each member's samples, with the samples' standard error. */
    private static Estimate summarise(double[] base, double[][] samples, int products) {
        int members = base.length, s = samples[0].length;
        double[] trace = new double[members], stderr = new double[members];
        for (int e = 0; e < members; e++) {
            double mean = 0;
            for (double x : samples[e]) mean += x / s;
            double ss = 0;
            for (double x : samples[e]) ss += (x - mean) * (x - mean);
            trace[e] = base[e] + mean;
            stderr[e] = s > 1 ? Math.sqrt(ss / (s - 1) / s) : 0;
        }
        return new Estimate(trace, stderr, products);
    }

    /** An orthonormal basis (EJML's Householder QR, thin Q) of the span of {@code columns}, as columns. */
    private static double[][] orthonormalColumns(double[][] columns, int n) {
        int s = columns.length;
        DMatrixRMaj m = new DMatrixRMaj(n, s);
        for (int j = 0; j < s; j++) for (int i = 0; i < n; i++) m.unsafe_set(i, j, columns[j][i]);
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(n, s);
        if (!qr.decompose(m)) throw new IllegalStateException("hutch++: the QR of the sketch failed");
        DMatrixRMaj q = qr.getQ(null, true);
        double[][] out = new double[s][n];
        for (int j = 0; j < s; j++) for (int i = 0; i < n; i++) out[j][i] = q.unsafe_get(i, j);
        return out;
    }
}
