package org.biaslab.boolfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RandomFunc against tables saved by NumPy 2.4: {@code default_rng(seed).choice(2, size=2**n)}. */
class RandomFuncTest {
    @ParameterizedTest
    @CsvSource({"0,4", "0,10", "0,16", "1,4", "1,10", "1,16", "42,4", "42,10", "42,16",
            "12345,4", "12345,10", "12345,16", "1099511627783,10"})
    void equalsNumpyBitForBit(long seed, int n) {
        TruthTable numpy = TruthTableFile.read(Path.of("src/test/resources/boolfn/randomfunc-" + seed + "-n" + n + ".npy"));
        TruthTable ours = RandomFunc.table(seed, n);
        assertEquals(n, numpy.n());
        for (long x = 0; x < 1L << n; x++) assertEquals(numpy.get(x), ours.get(x), "seed " + seed + ", n " + n + ", x " + x);
    }

    @Test
    void aSmallerTableIsAPrefixOfALargerOne() {
        // choice(2, size) consumes the same stream whatever the size, so table(seed, n) starts table(seed, n + 1).
        TruthTable small = RandomFunc.table(5, 9), large = RandomFunc.table(5, 12);
        for (long x = 0; x < 1 << 9; x++) assertEquals(small.get(x), large.get(x));
    }

    @Test
    void refusesWhatNumpyRefuses() {
        assertThrows(IllegalArgumentException.class, () -> RandomFunc.table(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> RandomFunc.table(0, 33));
    }
}
