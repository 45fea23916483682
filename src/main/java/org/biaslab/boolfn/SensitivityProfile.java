package org.biaslab.boolfn;

import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Exact sensitivity measures by bit flips, the definition of P1 §3: s(x, f) = (1/4) Σ_i (g(x) − g(x^{⊕i}))² with
 * g = 2f − 1, i.e. Σ_i (f(x) − f(x^{⊕i}))² — for Boolean f the number of coordinates whose flip changes f(x).
 *
 * @param n            the number of input bits
 * @param influence    (n) Inf_i = E_x[(f(x) − f(x^{⊕i}))²], i = 1..n at index i − 1
 * @param maxSensitivity max_x s(x, f)
 * @param histogram    (n + 1) the number of inputs x with s(x, f) = k; empty for real-valued functions
 */
public record SensitivityProfile(int n, double[] influence, double maxSensitivity, long[] histogram) {
    /** The largest n for the exact real-valued measures, which hold f in a double array (8·2^n bytes). */
    public static final int MAX_REAL_N = 26;

    private static final int CHUNK_WORDS = 1 << 12;

    /** as_n(f) = E_x[s(x, f)] = Σ_i Inf_i, the total influence. */
    public double averageSensitivity() {
        double sum = 0;
        for (double v : influence) sum += v;
        return sum;
    }

    /**
     * The profile of a truth table, with word-level flips: for a bit b < 6 of the index the partner inputs sit in the
     * same word (a shift and mask swap them), for b ≥ 6 in the word at distance 2^(b − 6), so f(x) ≠ f(x^{⊕i}) for 64
     * inputs at once is one XOR; a bit-sliced counter per lane sums the n flips into s(x). Parallel over words; the
     * average is exact (counts divided by 2^n).
     */
    public static SensitivityProfile of(TruthTable table) {
        return of(table, done -> { });
    }

    /** As {@link #of(TruthTable)}, telling {@code progress} how many more of the table's words are done (from several threads). */
    public static SensitivityProfile of(TruthTable table, LongConsumer progress) {
        int n = table.n();
        long[] words = table.words();
        int chunks = (words.length + CHUNK_WORDS - 1) / CHUNK_WORDS;
        long[][] partial = IntStream.range(0, chunks).parallel().mapToObj(c -> {
            int from = c * CHUNK_WORDS, to = Math.min(words.length, (c + 1) * CHUNK_WORDS);
            long[] counts = flipCounts(words, n, from, to);
            progress.accept(to - from);
            return counts;
        }).toArray(long[][]::new);
        long[] counts = new long[2 * n + 1];   // n flip counts by index bit b, then the histogram
        for (long[] p : partial) for (int k = 0; k < counts.length; k++) counts[k] += p[k];
        double size = Math.scalb(1.0, n);
        double[] influence = new double[n];
        for (int b = 0; b < n; b++) influence[n - 1 - b] = counts[b] / size;   // coordinate i = n − b
        long[] histogram = Arrays.copyOfRange(counts, n, 2 * n + 1);
        int max = n;
        while (histogram[max] == 0) max--;
        return new SensitivityProfile(n, influence, max, histogram);
    }

    /** Flip counts by index bit (n) and the histogram of s(x) (n + 1) over the words [from, to). */
    private static long[] flipCounts(long[] words, int n, int from, int to) {
        long[] counts = new long[2 * n + 1];
        int planes = 32 - Integer.numberOfLeadingZeros(n);   // bits of a count up to n
        long[] plane = new long[planes];                     // bit-sliced s(x): bit j of plane p is bit p of lane j's count
        long valid = n < 6 ? (1L << (1 << n)) - 1 : -1L;
        int lanes = Long.bitCount(valid);
        for (int w = from; w < to; w++) {
            long a = words[w];
            Arrays.fill(plane, 0);
            for (int b = 0; b < n; b++) {
                long differs = a ^ (b < 6 ? swap(a, b) : words[w ^ (1 << (b - 6))]);
                counts[b] += Long.bitCount(differs);
                for (int p = 0; p < planes && differs != 0; p++) {   // add one to the lanes in differs
                    long carry = plane[p] & differs;
                    plane[p] ^= differs;
                    differs = carry;
                }
            }
            int seen = 0;
            for (int k = 0; k <= n && seen < lanes; k++) {
                long lanesAtK = valid;
                for (int p = 0; p < planes; p++) lanesAtK &= (k >>> p & 1) != 0 ? plane[p] : ~plane[p];
                int c = Long.bitCount(lanesAtK);
                counts[n + k] += c;
                seen += c;
            }
        }
        return counts;
    }

    private static final long[] LOW_LANES = {
            0x5555555555555555L, 0x3333333333333333L, 0x0F0F0F0F0F0F0F0FL,
            0x00FF00FF00FF00FFL, 0x0000FFFF0000FFFFL, 0x00000000FFFFFFFFL};

    /** The word with lane j moved to lane j ^ 2^b, b < 6. */
    private static long swap(long a, int b) {
        int s = 1 << b;
        return (a >>> s) & LOW_LANES[b] | (a & LOW_LANES[b]) << s;
    }

    /** The profile of a real-valued function (or a Boolean one without word-level evaluation), n ≤ {@value #MAX_REAL_N}. */
    public static SensitivityProfile of(RealFunction f) {
        int n = f.n();
        double[] value = values(f, "exact real-valued sensitivity");
        int size = value.length;
        int chunk = Math.max(1, size >>> 6);
        double[][] partial = IntStream.range(0, size / chunk).parallel().mapToObj(c -> {
            double[] acc = new double[n + 1];   // Σ_x (f(x) − f(x^{⊕i}))² by index bit, then max_x s(x)
            for (int x = c * chunk; x < (c + 1) * chunk; x++) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    double d = value[x] - value[x ^ (1 << b)];
                    acc[b] += d * d;
                    s += d * d;
                }
                acc[n] = Math.max(acc[n], s);
            }
            return acc;
        }).toArray(double[][]::new);
        double[] influence = new double[n];
        double max = 0;
        for (double[] p : partial) {
            for (int b = 0; b < n; b++) influence[n - 1 - b] += p[b] / size;
            max = Math.max(max, p[n]);
        }
        return new SensitivityProfile(n, influence, max, new long[0]);
    }

    /** f at every input, index x MSB-first; n ≤ {@value #MAX_REAL_N}. */
    static double[] values(RealFunction f, String what) {
        int n = f.n();
        if (n > MAX_REAL_N) {
            throw new IllegalArgumentException(what + " evaluates all 2^n inputs into a double array: n = " + n
                    + " is above " + MAX_REAL_N + "; use sampling");
        }
        Heap.require(8L << n, what + " at n = " + n);
        double[] value = new double[1 << n];
        IntStream.range(0, value.length).parallel().forEach(x -> value[x] = f.value(new long[] {x}));
        return value;
    }
}
