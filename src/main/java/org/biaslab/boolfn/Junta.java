package org.biaslab.boolfn;

/**
 * A k-junta: f(x) = g(x_{c_1}, …, x_{c_k}) depends only on the coordinates c_1..c_k, with g a k-bit truth table
 * (x_{c_1} the most significant bit of g's index).
 */
public final class Junta implements BooleanFunction {
    private final int n;
    private final int[] coordinates;
    private final TruthTable inner;

    /** f(x) = inner(x_{c_1}, …, x_{c_k}) on n bits; the coordinates are 1-based and distinct. */
    public Junta(int n, int[] coordinates, TruthTable inner) {
        this.n = Input.checkN(n);
        Input.of(n, coordinates);   // validates range and distinctness
        if (inner.n() != coordinates.length) {
            throw new IllegalArgumentException("a junta on " + coordinates.length + " coordinates needs a "
                    + coordinates.length + "-bit inner table, not " + inner.n() + " bits");
        }
        this.coordinates = coordinates.clone();
        this.inner = inner;
    }

    /** A junta whose inner function is P1's RandomFunc(seed, k). */
    public static Junta random(int n, int[] coordinates, long seed) {
        return new Junta(n, coordinates, RandomFunc.table(seed, coordinates.length));
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public boolean test(long[] x) {
        long index = 0;
        for (int c : coordinates) index = index << 1 | (Input.bit(x, n, c) ? 1 : 0);
        return inner.get(index);
    }
}
