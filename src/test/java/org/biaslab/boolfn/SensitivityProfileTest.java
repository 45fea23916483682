package org.biaslab.boolfn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The word-level bit flips against one flip at a time, and the histogram's structure. */
class SensitivityProfileTest {
    private static List<BooleanFunction> functions(int n) {
        return List.of(RandomFunc.table(3, n), RandomFunc.table(99, n), Symmetric.majority(n), Symmetric.parity(n),
                Junta.random(n, n > 1 ? new int[] {n, 1} : new int[] {1}, 5), Symmetric.threshold(n, n / 3));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 6, 7, 8, 11})
    void wordLevelFlipsEqualOneFlipAtATime(int n) {
        for (BooleanFunction f : functions(n)) {
            SensitivityProfile profile = SensitivityProfile.of(TruthTable.of(f));
            assertArrayEquals(Naive.influence(f), profile.influence(), 1e-15, f.toString());
            long[] histogram = new long[n + 1];
            for (long x = 0; x < 1L << n; x++) histogram[(int) Naive.sensitivity(f, x)]++;
            assertArrayEquals(histogram, profile.histogram(), f.toString());
            double max = LongStream.range(0, 1L << n).mapToDouble(x -> Naive.sensitivity(f, x)).max().orElseThrow();
            assertEquals(max, profile.maxSensitivity());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 9})
    void realValuedFlipsEqualOneFlipAtATime(int n) {
        RealFunction f = RealFunction.of(n, x -> Math.sin(x[0]) + (x[0] & 3));
        assertArrayEquals(Naive.influence(f), SensitivityProfile.of(f).influence(), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 9, 15, 21})
    void majorityOfOddNIsSensitiveExactlyAtTheMiddleLayers(int n) {
        SensitivityProfile profile = SensitivityProfile.of(TruthTable.of(Symmetric.majority(n)));
        long[] expected = new long[n + 1];
        expected[(n + 1) / 2] = Math.round(2 * Naive.binomial(n, (n - 1) / 2));
        expected[0] = (1L << n) - expected[(n + 1) / 2];
        assertArrayEquals(expected, profile.histogram());
        assertEquals((n + 1) / 2.0, profile.maxSensitivity());
    }

    /** Progress counts each of the table's words once; the profile is the one without progress. */
    @Test
    void progressCountsEveryWordOnce() {
        TruthTable t = RandomFunc.table(2, 20);
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        SensitivityProfile p = SensitivityProfile.of(t, done::addAndGet);
        assertEquals(TruthTable.bytes(20) / 8, done.get());
        assertArrayEquals(SensitivityProfile.of(t).histogram(), p.histogram());
    }

    @Test
    void influencesOfAJuntaLieOnItsCoordinates() {
        double[] influence = SensitivityProfile.of(TruthTable.of(Junta.random(12, new int[] {3, 8, 11}, 4))).influence();
        for (int i = 1; i <= 12; i++) {
            if (i != 3 && i != 8 && i != 11) assertEquals(0, influence[i - 1], "coordinate " + i);
        }
        double[] first = SensitivityProfile.of(TruthTable.of(SparseParity.first(12))).influence();
        assertEquals(1, first[0]);
        assertEquals(0, first[1]);
    }
}
