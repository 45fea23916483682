package org.biaslab.boolfn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The closed forms of docs/papers.md §P1.3 (and of AND/OR/sparse parities), by bit flips and by Walsh–Hadamard. */
class ClosedFormTest {
    private static final double EPS = 1e-12;

    private static void assertBothMethods(double expected, BooleanFunction f) {
        TruthTable table = TruthTable.of(f);
        assertEquals(expected, SensitivityProfile.of(table).averageSensitivity(), EPS * expected, "bit flips");
        assertEquals(expected, FourierSpectrum.of(table, 0).averageSensitivity(), EPS * expected, "Walsh–Hadamard");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 17, 20})
    void parityHasSensitivityN(int n) {
        assertBothMethods(n, Symmetric.parity(n));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 6, 9, 16})
    void firstHasSensitivityOne(int n) {
        assertBothMethods(1, SparseParity.first(n));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 19, 20})
    void majorityMatchesItsClosedFormForOddAndEvenN(int n) {
        assertBothMethods(Naive.majoritySensitivity(n), Symmetric.majority(n));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 10, 16})
    void majorityTieGivesZero(int n) {
        long[] tie = new long[] {(1L << (n / 2)) - 1};
        assertEquals(0, Symmetric.majority(n).value(tie));
        assertEquals(1, Symmetric.majority(n).value(new long[] {(1L << (n / 2 + 1)) - 1}));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 7, 12})
    void andAndOrAreSensitiveOnlyNextToTheirSingleException(int n) {
        double expected = n / Math.pow(2, n - 1);   // each of n flips matters at 2 of the 2^n inputs
        assertBothMethods(expected, Symmetric.and(n));
        assertBothMethods(expected, Symmetric.or(n));
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 9, 14})
    void thresholdIsMajorityAtHalfPlusOne(int n) {
        assertBothMethods(Naive.majoritySensitivity(n), Symmetric.threshold(n, n / 2 + 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 6, 10, 15})
    void meanHasSensitivityOneOverN(int n) {
        Mean mean = new Mean(n);
        assertEquals(1.0 / n, SensitivityProfile.of(mean).averageSensitivity(), EPS);
        assertEquals(1.0 / n, FourierSpectrum.of(mean, 0).averageSensitivity(), EPS);
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 12})
    void sparseParityAndPrefixParityHaveSensitivityTheirSize(int n) {
        assertBothMethods(3, new SparseParity(n, 2, 5, n));
        for (SparseParity y : new PrefixParity(n).outputs()) assertBothMethods(y.coordinates().length, y);
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 13, 16})
    void randomFunctionsAverageAboutHalfN(int n) {
        // as_n of a uniformly random function has mean n/2 and standard deviation about sqrt(n/2^(n+1)).
        double mean = IntStream.range(0, 20)
                .mapToDouble(seed -> SensitivityProfile.of(RandomFunc.table(seed, n)).averageSensitivity())
                .average().orElseThrow();
        assertEquals(n / 2.0, mean, 5 * Math.sqrt(n / Math.pow(2, n + 1) / 20));
    }
}
