package org.biaslab.bench;

import org.biaslab.tensor.Rng;

/**
 * Training batches of the P1 step benchmarks ({@link P1StepBench}, {@link TorchP1StepBench}): uniform bits
 * (E, B, n) as 0/1 ints and 0/1 float targets (E, B). P1 draws a fresh batch every step; here a pool of
 * {@link #POOL} batches is drawn once, before timing, and the steps cycle through it, so that neither side pays
 * for sampling and both see the same numbers.
 */
final class P1Data {
    static final int POOL = 4, BATCH = 1024, N = 20;

    final int members;
    final int[][] bits;
    final float[][] targets;

    P1Data(int members) {
        this.members = members;
        bits = new int[POOL][members * BATCH * N];
        targets = new float[POOL][members * BATCH];
        Rng rng = new Rng(20240217);
        for (int k = 0; k < POOL; k++) {
            for (int i = 0; i < bits[k].length; i++) bits[k][i] = rng.nextInt(2);
            for (int i = 0; i < targets[k].length; i++) targets[k][i] = rng.nextInt(2);
        }
    }

    /** (B, n) for one model, (E, B, n) for an ensemble. */
    int[] bitsDims() {
        return members == 1 ? new int[] {BATCH, N} : new int[] {members, BATCH, N};
    }

    /** (B) for one model, (E, B) for an ensemble. */
    int[] targetDims() {
        return members == 1 ? new int[] {BATCH} : new int[] {members, BATCH};
    }
}
