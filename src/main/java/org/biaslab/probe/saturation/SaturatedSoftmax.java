package org.biaslab.probe.saturation;

/**
 * Saturated attention (papers.md §P3.2): lim_{c→∞} softmax(c·a)_i = 1[i ∈ M(a)]/|M(a)|, uniform over the argmax set
 * M(a) = {i : a_i ≥ max_j a_j − tol}. The tolerance {@code tol} ≥ 0 is absolute and counts near-ties as ties: scores
 * within tol of the maximum keep weight exp(−c·tol) or more at a finite c, so tol should be small against 1/c.
 */
public final class SaturatedSoftmax {
    private SaturatedSoftmax() {}

    /** The saturated distribution of score vector {@code a} with tie tolerance {@code tol}. */
    public static double[] of(double[] a, double tol) {
        if (a.length == 0) throw new IllegalArgumentException("saturated softmax: empty score vector");
        if (!(tol >= 0)) throw new IllegalArgumentException("saturated softmax: tolerance must be >= 0, got " + tol);
        double max = Double.NEGATIVE_INFINITY;
        for (double x : a) {
            if (Double.isNaN(x)) throw new IllegalArgumentException("saturated softmax: NaN score");
            max = Math.max(max, x);
        }
        int ties = 0;
        for (double x : a) if (x >= max - tol) ties++;
        double[] p = new double[a.length];
        for (int i = 0; i < a.length; i++) if (a[i] >= max - tol) p[i] = 1.0 / ties;
        return p;
    }
}
