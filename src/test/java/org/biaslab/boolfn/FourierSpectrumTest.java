package org.biaslab.boolfn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parseval, agreement with bit flips, P1's own formula (NumPy fixture), and the transform itself. */
class FourierSpectrumTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 8, 13, 14, 17})
    void parsevalAndFlipsAgreeForBooleanFunctions(int n) {
        for (BooleanFunction f : List.of(RandomFunc.table(n, n), Symmetric.majority(n), Symmetric.or(n),
                Junta.random(n, n > 1 ? new int[] {1, n} : new int[] {1}, 2))) {
            TruthTable table = TruthTable.of(f);
            FourierSpectrum spectrum = FourierSpectrum.of(table, 3);
            assertEquals(1, spectrum.totalWeight(), 1e-12, "Parseval");
            assertEquals(SensitivityProfile.of(table).averageSensitivity(), spectrum.averageSensitivity(), 1e-12);
        }
    }

    @Test
    void parityAndMajorityHaveTheirKnownSpectra() {
        FourierSpectrum parity = FourierSpectrum.of(TruthTable.of(Symmetric.parity(9)), 2);
        assertEquals(1, parity.weightByDegree()[9]);
        assertEquals(1, Math.abs(parity.largest().getFirst().value()));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, parity.largest().getFirst().coordinates(9));

        // MAJORITY of odd n is an odd function: all its weight sits on odd degrees; W_1 = n·ĝ({1})² with
        // ĝ({i}) = C(n − 1, (n − 1)/2)/2^(n−1) (O'Donnell, Analysis of Boolean Functions, §5.3).
        int n = 11;
        double[] w = FourierSpectrum.of(TruthTable.of(Symmetric.majority(n)), 0).weightByDegree();
        for (int k = 0; k <= n; k += 2) assertEquals(0, w[k], 1e-15);
        double singleton = Naive.binomial(n - 1, (n - 1) / 2) / Math.pow(2, n - 1);
        assertEquals(n * singleton * singleton, w[1], 1e-12);
    }

    @Test
    void dictatorAndConstantAreOneCoefficient() {
        FourierSpectrum first = FourierSpectrum.of(TruthTable.of(SparseParity.first(6)), 1);
        assertEquals(new FourierSpectrum.Coefficient(1L << 5, -1), first.largest().getFirst());   // g = 2x_1 − 1 = −χ_{1}
        FourierSpectrum zero = FourierSpectrum.of(TruthTable.of(Symmetric.threshold(6, 7)), 1);
        assertEquals(new FourierSpectrum.Coefficient(0, -1), zero.largest().getFirst());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 10, 16})
    void realValuedParsevalMatchesVarianceOfMean(int n) {
        // g = 2|x|/n − 1 with |x| ~ Binomial(n, 1/2): E[g²] = 1/n, and all weight is on degree 1.
        FourierSpectrum spectrum = FourierSpectrum.of(new Mean(n), 0);
        assertEquals(1.0 / n, spectrum.totalWeight(), 1e-12);
        assertEquals(1.0 / n, spectrum.weightByDegree()[1], 1e-12);
    }

    @Test
    void matchesP1FormulaOnRandomFuncComputedByNumpy() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/boolfn/p1-sensitivity.txt"));
        for (String line : lines.subList(1, lines.size())) {
            String[] field = line.split(" ");
            int seed = Integer.parseInt(field[0]), n = Integer.parseInt(field[1]);
            TruthTable table = RandomFunc.table(seed, n);
            FourierSpectrum spectrum = FourierSpectrum.of(table, 0);
            assertEquals(Double.parseDouble(field[2]), spectrum.averageSensitivity(), 1e-12);
            assertEquals(Double.parseDouble(field[2]), SensitivityProfile.of(table).averageSensitivity(), 1e-12);
            for (int k = 0; k <= n; k++) assertEquals(Double.parseDouble(field[3 + k]), spectrum.weightByDegree()[k], 1e-12);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 13, 14, 21, 22})
    void blockedTransformEqualsTheTextbookOne(int n) {
        SplittableRandom random = new SplittableRandom(n);
        long[] expected = random.ints(1 << n, -1000, 1000).asLongStream().toArray();
        int[] ints = Arrays.stream(expected).mapToInt(v -> (int) v).toArray();
        double[] doubles = Arrays.stream(expected).asDoubleStream().toArray();
        Naive.walshHadamard(expected);
        WalshHadamard.transform(ints);
        WalshHadamard.transform(doubles);
        assertArrayEquals(expected, Arrays.stream(ints).asLongStream().toArray());
        assertArrayEquals(Arrays.stream(expected).asDoubleStream().toArray(), doubles);
    }
}
