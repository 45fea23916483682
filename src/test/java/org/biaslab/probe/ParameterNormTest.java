package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ParameterNormTest {
    @Test
    void aHandComputedNormWithAndWithoutExclusions() {
        Linear l = new Linear(2, 1, true, Init.f32(0));
        l.load(Map.of("weight", Tensor.of(new float[] {3, 4}, 1, 2), "bias", Tensor.of(new float[] {12}, 1)));
        assertEquals(13, ParameterNorm.of(l, "")[0], 1e-12, "sqrt(9 + 16 + 144)");
        assertEquals(5, ParameterNorm.of(l, "bias")[0], 1e-12);
        assertEquals(12, ParameterNorm.of(l, "^weight$")[0], 1e-12);
        assertEquals(169, ParameterNorm.squared(l, "")[0], 1e-12);
    }

    @Test
    void p1sNormLeavesOutExactlyThePositionalEmbeddings() {
        P1Transformer m = new P1Transformer(16, 2, 2, 8, Init.f32(1));
        double[] pos = m.namedParameters().get("positional_encoding.weight").toDoubleArray();
        double sq = 0;
        for (double v : pos) sq += v * v;
        double all = ParameterNorm.squared(m, "")[0];
        assertEquals(all - sq, ParameterNorm.squared(m, ParameterNorm.P1_EXCLUDE)[0], 1e-9 * all);
    }

    @Test
    void anEnsembleHasOneNormPerMemberEqualToTheModelAlone() {
        double[] both = ParameterNorm.of(new P1Transformer(16, 2, 2, 8, Init.f32(4, 9)), ParameterNorm.P1_EXCLUDE);
        assertArrayEquals(new double[] {ParameterNorm.of(new P1Transformer(16, 2, 2, 8, Init.f32(4)), ParameterNorm.P1_EXCLUDE)[0],
                ParameterNorm.of(new P1Transformer(16, 2, 2, 8, Init.f32(9)), ParameterNorm.P1_EXCLUDE)[0]}, both, 1e-12);
    }

    @Test
    void squaredSumsSplitATensorIntoEqualGroups() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        assertArrayEquals(new double[] {91}, t.squaredSums(1), 0);
        assertArrayEquals(new double[] {5, 25, 61}, t.squaredSums(3), 0);
        assertThrows(IllegalArgumentException.class, () -> t.squaredSums(4));
    }
}
