package org.biaslab.boolfn;

import java.util.stream.IntStream;

/**
 * The truth table of a Boolean function on n ≤ 32 bits as a bit set: f(x) is bit x mod 64 of word x / 64, with x the
 * MSB-first index of {@link RealFunction}. 2^n bits: 128 MiB at n = 30, 512 MiB at n = 32.
 */
public final class TruthTable implements BooleanFunction {
    /** The largest n with a truth table (2^32 bits). */
    public static final int MAX_N = 32;

    private final int n;
    private final long[] words;   // (max(1, 2^n / 64))

    private TruthTable(int n, long[] words) {
        this.n = n;
        this.words = words;
    }

    /** The truth table of f, built in parallel, a word of 64 inputs at a time. */
    public static TruthTable of(BooleanFunction f) {
        if (f instanceof TruthTable t) return t;
        int n = checkN(f.n());
        long bytes = bytes(n);
        Heap.require(bytes, "the truth table at n = " + n);
        long[] words = new long[(int) (bytes / 8)];
        IntStream.range(0, words.length).parallel().forEach(w -> words[w] = f.word(w));
        return new TruthTable(n, words);
    }

    /** A truth table from its words (bit x mod 64 of word x / 64 is f(x)); the array is taken, not copied. */
    public static TruthTable ofWords(int n, long[] words) {
        checkN(n);
        if (words.length * 8L != bytes(n)) {
            throw new IllegalArgumentException("a truth table at n = " + n + " has " + bytes(n) / 8 + " words, not " + words.length);
        }
        if (n < 6 && (words[0] >>> (1 << n)) != 0) {
            throw new IllegalArgumentException("bits above 2^" + n + " are set in a truth table at n = " + n);
        }
        return new TruthTable(n, words);
    }

    /** The bytes of a truth table at n: 2^n bits, at least one word. */
    public static long bytes(int n) {
        return Math.max(8, (1L << n) / 8);
    }

    @Override
    public int n() {
        return n;
    }

    /** f(x) for the index x in 0..2^n − 1. */
    public boolean get(long x) {
        return (words[(int) (x >>> 6)] >>> (x & 63) & 1) != 0;
    }

    @Override
    public boolean test(long[] x) {
        return get(x[0]);
    }

    @Override
    public long word(long w) {
        return words[(int) w];
    }

    /** The table's words, shared (not copied) with the exact measures of this package. */
    long[] words() {
        return words;
    }

    private static int checkN(int n) {
        if (n < 1 || n > MAX_N) {
            throw new IllegalArgumentException("n = " + n + " is outside 1.." + MAX_N + " for a truth table (2^n bits)");
        }
        return n;
    }
}
