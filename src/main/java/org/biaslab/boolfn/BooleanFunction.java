package org.biaslab.boolfn;

import java.util.function.Predicate;

/** A function f: {0,1}^n → {0,1}, with inputs encoded as in {@link RealFunction}. */
public interface BooleanFunction extends RealFunction {
    /** f(x) = 1; x is not modified. */
    boolean test(long[] x);

    @Override
    default double value(long[] x) {
        return test(x) ? 1 : 0;
    }

    /**
     * The values f(64w), …, f(64w + 63) as the bits of one word (bit j is f(64w + j)); for n ≤ 32, where truth tables
     * exist. For n < 6 only the 2^n low bits of word 0 are used. Functions with word-level structure override this.
     */
    default long word(long w) {
        long[] x = new long[1];
        int lanes = (int) Math.min(64, 1L << n());
        long bits = 0;
        for (int j = 0; j < lanes; j++) {
            x[0] = (w << 6) | j;
            if (test(x)) bits |= 1L << j;
        }
        return bits;
    }

    /** A Boolean function given by a callback, e.g. a trained classifier on the input bits. */
    static BooleanFunction of(int n, Predicate<long[]> f) {
        record Callback(int n, Predicate<long[]> f) implements BooleanFunction {
            @Override
            public boolean test(long[] x) {
                return f.test(x);
            }
        }
        return new Callback(Input.checkN(n), f);
    }
}
