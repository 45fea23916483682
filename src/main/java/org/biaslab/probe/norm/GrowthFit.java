package org.biaslab.probe.norm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.hipparchus.stat.regression.SimpleRegression;

/**
 * A least-squares fit ρ̂(t) = a·g(t) + b of the norm against a growth law g, with its R² (papers.md §P3.2, the
 * reference's {@code t5_norm_regression.py}). The exponential law uses g(t) = exp(−t/t_max) with t_max the last
 * step: the reference's exp(−t) of raw steps is 0 beyond t ≈ 745 and fits nothing.
 */
public record GrowthFit(Law law, double slope, double intercept, double r2) {
    /** The growth laws the reference fits. */
    public enum Law {
        LINEAR("t"), SQRT("sqrt(t)"), QUARTER("t^(1/4)"), EXP("exp(-t/t_max)");

        private final String formula;

        Law(String formula) {
            this.formula = formula;
        }

        public String formula() {
            return formula;
        }

        /** g(t) for steps up to {@code tMax}. */
        public double feature(double t, double tMax) {
            return switch (this) {
                case LINEAR -> t;
                case SQRT -> Math.sqrt(t);
                case QUARTER -> Math.sqrt(Math.sqrt(t));
                case EXP -> Math.exp(-t / tMax);
            };
        }
    }

    /** Fits every law to the series (t_i, ρ_i), t ≥ 0; at least three points. */
    public static List<GrowthFit> all(double[] t, double[] rho) {
        if (t.length != rho.length) throw new IllegalArgumentException("growth fit: " + t.length + " steps but " + rho.length + " norms");
        if (t.length < 3) throw new IllegalArgumentException("growth fit: needs at least 3 checkpoints, got " + t.length);
        double tMax = 0;
        for (double x : t) {
            if (!(x >= 0)) throw new IllegalArgumentException("growth fit: steps must be >= 0, got " + x);
            tMax = Math.max(tMax, x);
        }
        List<GrowthFit> fits = new ArrayList<>();
        for (Law law : Law.values()) {
            SimpleRegression r = new SimpleRegression();
            for (int i = 0; i < t.length; i++) r.addData(law.feature(t[i], tMax), rho[i]);
            fits.add(new GrowthFit(law, r.getSlope(), r.getIntercept(), r.getRSquare()));
        }
        return fits;
    }

    /** The fit with the largest R² (NaN counts as worst). */
    public static GrowthFit best(List<GrowthFit> fits) {
        return fits.stream().max(Comparator.comparingDouble(f -> Double.isNaN(f.r2()) ? Double.NEGATIVE_INFINITY : f.r2()))
                .orElseThrow(() -> new IllegalArgumentException("growth fit: no fits"));
    }
}
