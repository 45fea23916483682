package org.biaslab.boolfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Names to functions, word-level truth tables against plain evaluation, and the refusals of bad specs. */
class FunctionCatalogTest {
    @ParameterizedTest
    @ValueSource(strings = {"parity", "majority", "first", "and", "or", "threshold:4", "sparse-parity:1,3,7",
            "junta:2,5:9", "random:3", "prefix-parity:5"})
    void wordLevelTablesEqualPlainEvaluation(String spec) {
        for (int n : new int[] {7, 8, 13}) {
            BooleanFunction f = (BooleanFunction) FunctionCatalog.parse(spec, n).getFirst().function();
            TruthTable fast = TruthTable.of(f), plain = TruthTable.of(BooleanFunction.of(n, f::test));
            for (long x = 0; x < 1L << n; x++) assertEquals(plain.get(x), fast.get(x), spec + " at n " + n + ", x " + x);
        }
    }

    @Test
    void prefixParityHasNOutputs() {
        var outputs = FunctionCatalog.parse("prefix-parity", 6);
        assertEquals(6, outputs.size());
        assertEquals("prefix-parity:6", outputs.getLast().name());
    }

    @Test
    void fileNeedsNoNButMustMatchOne() {
        String spec = "file:src/test/resources/boolfn/table-n4.txt";
        assertEquals(4, FunctionCatalog.parse(spec, null).getFirst().function().n());
        var e = assertThrows(IllegalArgumentException.class, () -> FunctionCatalog.parse(spec, 5));
        assertTrue(e.getMessage().contains("--n 5 does not match"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "majorty; 5; unknown function 'majorty'",
            "random:x; 5; 'x' is not an integer",
            "threshold; 5; needs an argument",
            "sparse-parity:1,9; 5; coordinate 9 is outside 1..5",
            "parity:3; 5; takes no argument",
            "junta:1,2; 5; junta:I,J,...:SEED",
            "parity; 0; n = 0"})
    void badSpecsAreRefusedWithTheReason(String spec, int n, String reason) {
        var e = assertThrows(IllegalArgumentException.class, () -> FunctionCatalog.parse(spec, n));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
