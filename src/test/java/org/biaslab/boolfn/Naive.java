package org.biaslab.boolfn;

/** Textbook oracles for the tests: one input and one flip at a time, straight from the definitions. */
final class Naive {
    private Naive() {}

    /** s(x, f) = Σ_i (f(x) − f(x^{⊕i}))² for the MSB-first index x of an input of n ≤ 64 bits. */
    static double sensitivity(RealFunction f, long x) {
        int n = f.n();
        long[] input = {x};
        double fx = f.value(input), s = 0;
        for (int i = 1; i <= n; i++) {
            double d = fx - f.value(new long[] {x ^ (1L << (n - i))});
            s += d * d;
        }
        return s;
    }

    /** Inf_i = E_x[(f(x) − f(x^{⊕i}))²], i = 1..n at index i − 1. */
    static double[] influence(RealFunction f) {
        int n = f.n();
        double[] inf = new double[n];
        for (long x = 0; x < 1L << n; x++) {
            for (int i = 1; i <= n; i++) {
                double d = f.value(new long[] {x}) - f.value(new long[] {x ^ (1L << (n - i))});
                inf[i - 1] += d * d / (1L << n);
            }
        }
        return inf;
    }

    /** The textbook in-place transform: for each level, for each pair (x, x + h) with bit h of x clear. */
    static void walshHadamard(long[] a) {
        for (int h = 1; h < a.length; h <<= 1) {
            for (int x = 0; x < a.length; x++) {
                if ((x & h) == 0) {
                    long u = a[x], v = a[x + h];
                    a[x] = u + v;
                    a[x + h] = u - v;
                }
            }
        }
    }

    /** C(n, k). */
    static double binomial(int n, int k) {
        double c = 1;
        for (int j = 1; j <= k; j++) c = c * (n - k + j) / j;
        return c;
    }

    /** P1 §3: as_n(MAJORITY) = n·C(n − 1, ⌊n/2⌋)/2^(n−1), odd and even n (ties → 0). */
    static double majoritySensitivity(int n) {
        return n * binomial(n - 1, n / 2) / Math.pow(2, n - 1);
    }
}
