package org.biaslab.optim;

/** One-line argument checks shared by the optimisers' configs. */
final class Checks {
    private Checks() {}

    /** v must be finite and ≥ 0. */
    static double nonNegative(String owner, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(owner + ": " + name + " must be a finite number ≥ 0, got " + v);
        return v;
    }

    /** v must lie in [0, 1). */
    static double beta(String owner, String name, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(owner + ": " + name + " must be in [0, 1), got " + v);
        return v;
    }
}
