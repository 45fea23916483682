package org.biaslab.boolfn;

import java.util.function.ToDoubleFunction;

/**
 * A function f: {0,1}^n → R. An input x_1…x_n is the number Σ x_i·2^(n−i) (the first bit is the most significant,
 * as in P1's code), held in ⌈n/64⌉ little-endian words with the bits above n zero; for n ≤ 64 the single word is
 * P1's table index. Boolean functions take the values 0 and 1; P1 maps them to g = 2f − 1 ∈ {±1}.
 */
public interface RealFunction {
    /** The number of input bits. */
    int n();

    /** f(x); x is not modified. */
    double value(long[] x);

    /** A real-valued function given by a callback, e.g. a model's output on the input bits. */
    static RealFunction of(int n, ToDoubleFunction<long[]> f) {
        record Callback(int n, ToDoubleFunction<long[]> f) implements RealFunction {
            @Override
            public double value(long[] x) {
                return f.applyAsDouble(x);
            }
        }
        return new Callback(Input.checkN(n), f);
    }
}
