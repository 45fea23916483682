package org.biaslab.boolfn;

import java.util.function.IntPredicate;

/**
 * A symmetric Boolean function: f(x) depends only on the Hamming weight |x| = Σ x_i. PARITY, MAJORITY, AND, OR and
 * thresholds are of this kind, which makes their truth tables cheap: a word of 64 consecutive inputs shares its high
 * bits, so its 64 values are one precomputed mask per weight of those high bits.
 */
public final class Symmetric implements BooleanFunction {
    private final int n;
    private final IntPredicate acceptsWeight;   // f = 1 at weight k: no table, so any n fits
    private final long[] laneMask;              // (min(n, 70) − 5): lanes j of a word with f = 1 when the high bits weigh k

    private Symmetric(int n, IntPredicate accepts) {
        this.n = Input.checkN(n);
        acceptsWeight = accepts;
        laneMask = new long[Math.max(0, Math.min(n, 70) - 5)];   // a word index (a long) has at most 64 bits set
        for (int k = 0; k < laneMask.length; k++) {
            for (int j = 0; j < 64; j++) if (acceptsWeight.test(k + Integer.bitCount(j))) laneMask[k] |= 1L << j;
        }
    }

    /** PARITY(x) = |x| mod 2. */
    public static Symmetric parity(int n) {
        return new Symmetric(n, k -> k % 2 == 1);
    }

    /** MAJORITY(x) = 1[|x| > n − |x|]: a tie (even n) gives 0, as in P1's code. */
    public static Symmetric majority(int n) {
        return new Symmetric(n, k -> 2 * k > n);
    }

    /** AND(x) = 1[|x| = n]. */
    public static Symmetric and(int n) {
        return new Symmetric(n, k -> k == n);
    }

    /** OR(x) = 1[|x| ≥ 1]. */
    public static Symmetric or(int n) {
        return new Symmetric(n, k -> k >= 1);
    }

    /** The threshold function 1[|x| ≥ t]. */
    public static Symmetric threshold(int n, int t) {
        if (t < 0 || t > n + 1L) throw new IllegalArgumentException("threshold " + t + " is outside 0.." + (n + 1L));
        return new Symmetric(n, k -> k >= t);
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public boolean test(long[] x) {
        return acceptsWeight.test(Input.weight(x));
    }

    @Override
    public long word(long w) {
        return n < 6 ? BooleanFunction.super.word(w) : laneMask[Long.bitCount(w)];
    }
}
