package org.biaslab.boolfn;

import java.util.stream.IntStream;

/**
 * The in-place fast Walsh–Hadamard transform a[S] ← Σ_x (−1)^{|S ∧ x|} a[x], O(n·2^n) additions, parallel. Unnormalised:
 * for a = g(x) the result is 2^n·ĝ(S). Arrays are Java arrays, so n ≤ 30.
 * <p>
 * Cache blocking, because at n = 30 one level is a pass over 4 GiB: the first {@value #BLOCK_LEVELS} levels run inside
 * blocks of 2^{@value #BLOCK_LEVELS} entries that stay in cache; the higher levels run in groups of
 * {@value #GROUP_LEVELS}, each task a column of {@value #COLUMN} contiguous entries in each of the 2^{@value #GROUP_LEVELS}
 * rows that the group's butterflies connect. n = 30 thus takes 4 passes over memory instead of 30.
 */
public final class WalshHadamard {
    private static final int BLOCK_LEVELS = 13;   // 2^13 ints = 32 KiB
    private static final int GROUP_LEVELS = 8;    // 2^8 rows × 128 ints = 128 KiB
    private static final int COLUMN = 128;

    private WalshHadamard() {}

    /** Runs of len butterflies (a[p+j], a[q+j]) ← (a[p+j] + a[q+j], a[p+j] − a[q+j]), j in 0..len − 1. */
    private interface Butterflies {
        void apply(int p, int q, int len);
    }

    /** Transforms a in place; its length must be a power of two. Exact while |result| < 2^31 (±1 inputs: n ≤ 30). */
    public static void transform(int[] a) {
        run(a.length, (p, q, len) -> {
            for (int j = 0; j < len; j++) {
                int u = a[p + j], v = a[q + j];
                a[p + j] = u + v;
                a[q + j] = u - v;
            }
        });
    }

    /** Transforms a in place; its length must be a power of two. */
    public static void transform(double[] a) {
        run(a.length, (p, q, len) -> {
            for (int j = 0; j < len; j++) {
                double u = a[p + j], v = a[q + j];
                a[p + j] = u + v;
                a[q + j] = u - v;
            }
        });
    }

    private static void run(int size, Butterflies butterflies) {
        if (Integer.bitCount(size) != 1) throw new IllegalArgumentException("length " + size + " is not a power of two");
        int n = Integer.numberOfTrailingZeros(size);
        int blockLevels = Math.min(n, BLOCK_LEVELS);
        IntStream.range(0, size >>> blockLevels).parallel().forEach(block -> {
            int start = block << blockLevels, end = start + (1 << blockLevels);
            for (int level = 0; level < blockLevels; level++) {
                int s = 1 << level;
                for (int p = start; p < end; p += 2 * s) butterflies.apply(p, p + s, s);
            }
        });
        for (int lo = blockLevels; lo < n; lo += GROUP_LEVELS) {
            int levels = Math.min(GROUP_LEVELS, n - lo), stride = 1 << lo, rows = 1 << levels;
            int column = Math.min(stride, COLUMN), columns = stride / column;
            int bottom = lo;
            IntStream.range(0, (size >>> (lo + levels)) * columns).parallel().forEach(task -> {
                // Rows r = 0..rows − 1 of this task are at base + r·stride; level ℓ pairs r with r + 2^ℓ.
                int base = ((task / columns) << (bottom + levels)) + (task % columns) * column;
                for (int level = 0; level < levels; level++) {
                    int half = 1 << level;
                    for (int r = 0; r < rows; r += 2 * half) {
                        for (int k = r; k < r + half; k++) {
                            int p = base + k * stride;
                            butterflies.apply(p, p + half * stride, column);
                        }
                    }
                }
            });
        }
    }
}
