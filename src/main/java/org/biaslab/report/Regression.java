package org.biaslab.report;

import org.hipparchus.distribution.continuous.TDistribution;

/**
 * Ordinary least squares of y on x with the conventions of {@code scipy.stats.linregress}: the correlation r, and the
 * two-sided p-value of the slope from a t distribution with n − 2 degrees of freedom (P1 prints these per function).
 *
 * @param r 0 when y is constant (scipy ≥ 1.11 returns NaN there; a flat quantity should read as flat)
 * @param p 1 when y is constant; for n = 2, scipy's convention: 0, or 1 when the two y are equal
 */
public record Regression(double slope, double intercept, double r, double p, int n) {

    /** Fits y = slope·x + intercept; needs at least two points and two distinct x values. */
    public static Regression fit(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("regression: " + x.length + " x values but " + y.length + " y values");
        int n = x.length;
        if (n < 2) throw new IllegalArgumentException("regression: needs at least 2 points, got " + n);
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        if (sxx == 0) throw new IllegalArgumentException("regression: all x values are identical");
        double slope = sxy / sxx;
        double r = syy == 0 ? 0 : Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
        double p;
        if (n == 2) {
            p = y[0] == y[1] ? 1 : 0;
        } else {
            int df = n - 2;
            double t = r * Math.sqrt(df / ((1 - r) * (1 + r)));
            p = 2 * new TDistribution(df).cumulativeProbability(-Math.abs(t));
        }
        return new Regression(slope, my - slope * mx, r, p, n);
    }
}
