package org.biaslab.boolfn;

/**
 * NumPy's {@code PCG64}: a 128-bit LCG (state ← state·M + inc) with the XSL-RR output permutation, seeded from a
 * {@link SeedSequence} as {@code np.random.PCG64(seed)} does, and NumPy's buffered 32-bit draws.
 */
final class Pcg64 {
    private static final long MULT_HI = 0x2360ED051FC65DA4L, MULT_LO = 0x4385DF649FCCF645L;

    private long stateHi, stateLo;
    private final long incHi, incLo;
    private boolean hasInt;
    private int bufferedInt;

    Pcg64(long seed) {
        long[] s = new SeedSequence(seed).generateState(4);
        // pcg_setseq_128_srandom_r(state = s[0]·2^64 + s[1], seq = s[2]·2^64 + s[3]): inc = 2·seq + 1.
        incHi = s[2] << 1 | s[3] >>> 63;
        incLo = s[3] << 1 | 1;
        step();
        long lo = stateLo + s[1];
        stateHi += s[0] + (Long.compareUnsigned(lo, stateLo) < 0 ? 1 : 0);
        stateLo = lo;
        step();
    }

    /** The next 64-bit output: advance, then XSL-RR of the new state. */
    long nextLong() {
        step();
        return Long.rotateRight(stateHi ^ stateLo, (int) (stateHi >>> 58));
    }

    /** NumPy's next_uint32: the low half of a 64-bit output, then its high half. */
    int nextInt() {
        if (hasInt) {
            hasInt = false;
            return bufferedInt;
        }
        long next = nextLong();
        hasInt = true;
        bufferedInt = (int) (next >>> 32);
        return (int) next;
    }

    private void step() {
        long hi = Math.unsignedMultiplyHigh(stateLo, MULT_LO) + stateLo * MULT_HI + stateHi * MULT_LO;
        long lo = stateLo * MULT_LO;
        long sum = lo + incLo;
        stateHi = hi + incHi + (Long.compareUnsigned(sum, lo) < 0 ? 1 : 0);
        stateLo = sum;
    }
}
