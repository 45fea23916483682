package org.biaslab.boolfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every accepted format gives NumPy's table; every malformed file is refused with a message naming the problem. */
class TruthTableFileTest {
    private static final Path DIR = Path.of("src/test/resources/boolfn");

    @ParameterizedTest
    @ValueSource(strings = {"dtype-i8.npy", "dtype-i4.npy", "dtype-i4-be.npy", "dtype-i2.npy", "dtype-i1.npy",
            "dtype-u1.npy", "dtype-u8.npy", "dtype-b1.npy", "dtype-f8.npy", "dtype-f4.npy", "table-n4.txt"})
    void everyFormatReadsRandomFuncSeven(String file) {
        TruthTable table = TruthTableFile.read(DIR.resolve(file));
        TruthTable expected = RandomFunc.table(7, 4);   // the table generate.py saved in all these formats
        assertEquals(4, table.n());
        for (long x = 0; x < 16; x++) assertEquals(expected.get(x), table.get(x), file + " at " + x);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "bad-2d.npy; shape (4, 4)",
            "bad-values.npy; value 2.0 at index 2 is not 0 or 1",
            "bad-length.npy; 12 values is not 2^n",
            "bad-dtype.npy; unsupported .npy dtype",
            "bad-truncated.npy; truncated",
            "bad-char.txt; line 2: unexpected character 'x'",
            "bad-length.txt; 3 values is not 2^n",
            "missing.txt; no such file"})
    void malformedFilesAreRefusedWithTheReason(String file, String reason) {
        var e = assertThrows(IllegalArgumentException.class, () -> TruthTableFile.read(DIR.resolve(file)));
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(reason), e.getMessage());
    }
}
