package org.biaslab.boolfn;

import java.util.SplittableRandom;

/** Bit access on inputs encoded as in {@link RealFunction}: coordinate i (1-based) is bit n − i of the number. */
public final class Input {
    private Input() {}

    /** The number of 64-bit words that hold an n-bit input. */
    public static int words(int n) {
        return Math.max(1, (n + 63) >>> 6);
    }

    /** x_i, for coordinate i in 1..n. */
    public static boolean bit(long[] x, int n, int i) {
        int b = n - i;
        return (x[b >>> 6] >>> (b & 63) & 1) != 0;
    }

    /** Flips x_i in place, for coordinate i in 1..n. */
    public static void flip(long[] x, int n, int i) {
        int b = n - i;
        x[b >>> 6] ^= 1L << (b & 63);
    }

    /** The Hamming weight Σ x_i. */
    public static int weight(long[] x) {
        int w = 0;
        for (long word : x) w += Long.bitCount(word);
        return w;
    }

    /** The input with x_i = 1 exactly for the given coordinates (1-based): the indicator of a set S ⊆ [n]. */
    public static long[] of(int n, int... coordinates) {
        long[] x = new long[words(n)];
        for (int i : coordinates) {
            if (i < 1 || i > n) throw new IllegalArgumentException("coordinate " + i + " is outside 1.." + n);
            if (bit(x, n, i)) throw new IllegalArgumentException("coordinate " + i + " is given twice");
            flip(x, n, i);
        }
        return x;
    }

    /** Fills x with a uniformly random n-bit input. */
    public static void random(long[] x, int n, SplittableRandom random) {
        for (int k = 0; k < x.length; k++) x[k] = random.nextLong();
        if ((n & 63) != 0) x[x.length - 1] &= (1L << (n & 63)) - 1;
    }

    static int checkN(int n) {
        if (n < 1) throw new IllegalArgumentException("n = " + n + ": a function needs at least one input bit");
        return n;
    }
}
