package org.biaslab.boolfn;

/**
 * NumPy's {@code SeedSequence} for a non-negative integer seed and no spawn key: the seed's 32-bit words are hashed
 * into a pool of four 32-bit words, which {@link #generateState} stretches into seed material (NumPy's
 * {@code bit_generator.pyx}, after M. O'Neill's seed_seq_fe).
 */
final class SeedSequence {
    private static final int POOL_SIZE = 4;
    private static final int INIT_A = 0x43b0d7e5, MULT_A = 0x931e8875;
    private static final int INIT_B = 0x8b51f9dd, MULT_B = 0x58f38ded;
    private static final int MIX_MULT_L = 0xca01f9dd, MIX_MULT_R = 0x4973f715;

    private final int[] pool = new int[POOL_SIZE];

    SeedSequence(long seed) {
        if (seed < 0) throw new IllegalArgumentException("seed " + seed + " is negative (NumPy requires seeds >= 0)");
        int[] entropy = (seed >>> 32) == 0 ? new int[] {(int) seed} : new int[] {(int) seed, (int) (seed >>> 32)};
        int[] hashConst = {INIT_A};
        for (int i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0, hashConst);
        for (int src = 0; src < POOL_SIZE; src++) {
            for (int dst = 0; dst < POOL_SIZE; dst++) {
                if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src], hashConst));
            }
        }
    }

    /** The first 2·words 32-bit outputs, read pairwise (low word first) as 64-bit words, as NumPy's uint64 view. */
    long[] generateState(int words) {
        long[] state = new long[words];
        int hashConst = INIT_B;
        for (int i = 0; i < 2 * words; i++) {
            int value = pool[i % POOL_SIZE] ^ hashConst;
            hashConst *= MULT_B;
            value *= hashConst;
            value ^= value >>> 16;
            state[i / 2] |= Integer.toUnsignedLong(value) << (32 * (i % 2));
        }
        return state;
    }

    private static int hashmix(int value, int[] hashConst) {
        value ^= hashConst[0];
        hashConst[0] *= MULT_A;
        value *= hashConst[0];
        return value ^ (value >>> 16);
    }

    private static int mix(int x, int y) {
        int result = MIX_MULT_L * x - MIX_MULT_R * y;
        return result ^ (result >>> 16);
    }
}
