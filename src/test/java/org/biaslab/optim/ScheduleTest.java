package org.biaslab.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static void assertFactors(Schedule s, long[] steps, double[] factors) {
        for (int i = 0; i < steps.length; i++) assertEquals(factors[i], s.factor(steps[i]), 1e-15, "step " + steps[i]);
    }

    @Test
    void constantIsOne() {
        assertFactors(Schedule.constant(), new long[] {0, 1, 1_000_000}, new double[] {1, 1, 1});
        assertFactors(Schedule.parse("constant", 10), new long[] {0, 50}, new double[] {1, 1});
    }

    @Test
    void warmupRisesLinearlyFromZeroThenStays() {
        long[] steps = {0, 1, 2, 3, 4, 5, 100};
        double[] factors = {0, 0.25, 0.5, 0.75, 1, 1, 1};
        assertFactors(Schedule.warmup(4), steps, factors);
        assertFactors(Schedule.parse(" warmup:4 ", 10), steps, factors);
    }

    @Test
    void linearDecaysToTheFinalFractionAtTheLastStep() {
        // warmup 2, then 1 → 0.1 over steps 2..12
        long[] steps = {0, 1, 2, 7, 12, 20};
        double[] factors = {0, 0.5, 1, 0.1 + 0.9 * 0.5, 0.1, 0.1};
        assertFactors(Schedule.linear(0.1, 2, 12), steps, factors);
        assertFactors(Schedule.parse("linear:0.1:2", 12), steps, factors);
        assertFactors(Schedule.parse("linear:0.1", 10), new long[] {0, 5, 10}, new double[] {1, 0.55, 0.1});
        assertFactors(Schedule.parse("linear", 4), new long[] {0, 1, 4}, new double[] {1, 0.75, 0});
    }

    @Test
    void cosineFollowsHalfACosine() {
        assertFactors(Schedule.parse("cosine", 10), new long[] {0, 5, 10, 15},
                new double[] {1, 0.5, 0, 0});
        assertFactors(Schedule.cosine(0, 0, 12), new long[] {4}, new double[] {0.5 * (1 + Math.cos(Math.PI / 3))});
        // final fraction 0.2 after a warmup of 2 steps: the middle of the decay is halfway between 1 and 0.2
        assertFactors(Schedule.parse("cosine:0.2:2", 12), new long[] {1, 2, 7, 12}, new double[] {0.5, 1, 0.6, 0.2});
    }

    @Test
    void inverseSqrtIsOneAtTheEndOfWarmupThenFallsAsOneOverRootT() {
        long[] steps = {0, 2, 4, 16, 100};
        double[] factors = {0, 0.5, 1, 0.5, 0.2};
        assertFactors(Schedule.inverseSqrt(4), steps, factors);
        assertFactors(Schedule.parse("invsqrt:4", 10), steps, factors);
    }

    private static String parseError(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> Schedule.parse(spec, 100)).getMessage();
    }

    @Test
    void badSpecsFailWithOneClearLine() {
        assertTrue(parseError("step:10").startsWith("unknown schedule 'step:10'; expected constant, warmup:W"), parseError("step:10"));
        assertTrue(parseError("warmup").contains("wrong number of arguments"), parseError("warmup"));
        assertTrue(parseError("cosine:0:1:2").contains("wrong number of arguments"));
        assertTrue(parseError("linear:x").contains("not a number"), parseError("linear:x"));
        assertTrue(parseError("linear:1.5").contains("final fraction must be in [0, 1], got 1.5"), parseError("linear:1.5"));
        assertTrue(parseError("cosine:0:200").contains("warmup steps must be in [0, 100]"), parseError("cosine:0:200"));
        assertTrue(parseError("invsqrt:0").contains("warmup steps must be ≥ 1"), parseError("invsqrt:0"));
        assertTrue(parseError("warmup:-3").contains("≥ 0"), parseError("warmup:-3"));
        for (String spec : new String[] {"step:10", "warmup", "linear:x", "invsqrt:0"}) {
            assertTrue(!parseError(spec).contains("\n"), spec);
        }
    }
}
