package org.biaslab.boolfn;

/**
 * P1's {@code RandomFunc(seed, n)}: the table {@code numpy.random.default_rng(seed).choice(2, size=2**n)}, with
 * f(x) = table[x] for the MSB-first index x. Bit for bit equal to NumPy (checked against tables saved by NumPy 2.4):
 * {@code choice(2, size)} draws {@code integers(0, 2)} by Lemire's method on 32-bit draws, which for a range of two
 * never rejects and returns the top bit of each draw; the draws are the low, then high, halves of PCG64's outputs.
 */
public final class RandomFunc {
    private RandomFunc() {}

    /** The truth table of RandomFunc(seed, n), seed ≥ 0, n in 1..32. */
    public static TruthTable table(long seed, int n) {
        if (n < 1 || n > TruthTable.MAX_N) {
            throw new IllegalArgumentException("n = " + n + " is outside 1.." + TruthTable.MAX_N + " for RandomFunc");
        }
        Pcg64 pcg = new Pcg64(seed);
        Heap.require(TruthTable.bytes(n), "RandomFunc's table at n = " + n);
        long[] words = new long[(int) (TruthTable.bytes(n) / 8)];
        long size = 1L << n;
        for (long x = 0; x < size; x++) {
            // Lemire: m = u32 · 2, result m >> 32 (the threshold (2^32 − 2) mod 2 = 0 never rejects).
            words[(int) (x >>> 6)] |= (long) (pcg.nextInt() >>> 31) << (x & 63);
        }
        return TruthTable.ofWords(n, words);
    }
}
