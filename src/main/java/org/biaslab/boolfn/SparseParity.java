package org.biaslab.boolfn;

import java.util.Arrays;

/**
 * The parity χ_S(x) = Σ_{i∈S} x_i mod 2 of a set S of coordinates (1-based). FIRST is S = {1}; the prefix parities
 * of the scratchpad are S = {1..t}.
 */
public final class SparseParity implements BooleanFunction {
    private final int n;
    private final int[] coordinates;
    private final long[] mask;   // S as an input: bit n − i set for i ∈ S

    /** The parity of the given coordinates of an n-bit input. */
    public SparseParity(int n, int... coordinates) {
        this.n = Input.checkN(n);
        this.coordinates = coordinates.clone();
        this.mask = Input.of(n, coordinates);
    }

    /** FIRST(x) = x_1. */
    public static SparseParity first(int n) {
        return new SparseParity(n, 1);
    }

    /** The set S, 1-based. */
    public int[] coordinates() {
        return coordinates.clone();
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public boolean test(long[] x) {
        int ones = 0;
        for (int k = 0; k < mask.length; k++) ones += Long.bitCount(x[k] & mask[k]);
        return (ones & 1) != 0;
    }

    @Override
    public long word(long w) {
        if (n < 6) return BooleanFunction.super.word(w);
        long lanes = 0;   // lanes j whose low six bits alone have odd parity on S
        for (int j = 0; j < 64; j++) if ((Long.bitCount(j & mask[0]) & 1) != 0) lanes |= 1L << j;
        return (Long.bitCount(w & (mask[0] >>> 6)) & 1) == 0 ? lanes : ~lanes;
    }

    @Override
    public String toString() {
        return "SparseParity[n=" + n + ", S=" + Arrays.toString(coordinates) + "]";
    }
}
