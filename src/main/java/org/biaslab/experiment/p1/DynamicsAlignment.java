package org.biaslab.experiment.p1;

import java.util.List;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * P1's alignment of training-dynamics curves (docs/papers.md §P1.9.3, its {@code src/plotting/dynamic.py}): each run is
 * shifted to "steps after convergence", step − (its first logged step whose measured loss is below 0.01), and the
 * mean curve over runs keeps only the x values present in at least a quarter of the runs (and in at least three, so that
 * a few runs' mean does not jump where one of them ends).
 */
public final class DynamicsAlignment {
    /** The measured loss below which a run counts as converged. */
    public static final double CONVERGED_LOSS = 0.01;
    /** The share of runs an x value needs to enter the mean curve. */
    public static final double PRESENT_SHARE = 0.25;
    /**
     * The fewest runs (or all, when there are fewer) an x value needs as well: with a handful of runs a quarter is one
     * run, and the mean would jump wherever a run ends.
     */
    public static final int MIN_RUNS = 3;

    /** Values y over x, in increasing x. */
    public record Curve(double[] x, double[] y) {
        public Curve {
            if (x.length != y.length) throw new IllegalArgumentException("curve: " + x.length + " x values but " + y.length + " y values");
        }

        /** The value at the largest x ≤ {@code at}, if there is one. */
        public OptionalDouble at(double at) {
            for (int i = x.length - 1; i >= 0; i--) {
                if (x[i] <= at) return OptionalDouble.of(y[i]);
            }
            return OptionalDouble.empty();
        }
    }

    private DynamicsAlignment() {}

    /** The first of {@code steps} (increasing) whose {@code loss} is below {@link #CONVERGED_LOSS}, or empty. */
    public static OptionalDouble convergenceStep(double[] steps, double[] loss) {
        for (int i = 0; i < steps.length; i++) {
            if (loss[i] < CONVERGED_LOSS) return OptionalDouble.of(steps[i]);
        }
        return OptionalDouble.empty();
    }

    /** The curve with x shifted by −{@code convergence}. */
    public static Curve shift(Curve c, double convergence) {
        double[] x = c.x().clone();
        for (int i = 0; i < x.length; i++) x[i] -= convergence;
        return new Curve(x, c.y());
    }

    /**
     * The mean over {@code curves} at each x value that at least {@link #PRESENT_SHARE} of them, and at least
     * {@link #MIN_RUNS} (or all of them), have (a finite y), averaged over the curves that have it.
     */
    public static Curve mean(List<Curve> curves) {
        TreeMap<Double, double[]> byX = new TreeMap<>(); // x → {sum, count}
        for (Curve c : curves) {
            for (int i = 0; i < c.x().length; i++) {
                if (!Double.isFinite(c.y()[i])) continue;
                double[] acc = byX.computeIfAbsent(c.x()[i], k -> new double[2]);
                acc[0] += c.y()[i];
                acc[1]++;
            }
        }
        double need = Math.max(PRESENT_SHARE * curves.size(), Math.min(curves.size(), MIN_RUNS));
        var kept = byX.entrySet().stream().filter(e -> e.getValue()[1] >= need).toList();
        double[] x = new double[kept.size()], y = new double[kept.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = kept.get(i).getKey();
            y[i] = kept.get(i).getValue()[0] / kept.get(i).getValue()[1];
        }
        return new Curve(x, y);
    }
}
