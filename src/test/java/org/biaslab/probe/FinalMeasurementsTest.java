package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.P1Transformer;
import org.junit.jupiter.api.Test;

class FinalMeasurementsTest {
    static IntFunction<Batch> batches(int n, int size, long seed) {
        Sampler s = Sampler.uniform(List.of(BitTask.of(FunctionCatalog.parse("majority", n).get(0).function())), new long[] {seed}, size);
        return i -> s.next(i, 2);
    }

    @Test
    void valuesAreBatchMeansAndTheDerivedKeysFollowFromThem() {
        P1Transformer m = SharpnessTest.small(6);
        IntFunction<Batch> data = batches(5, 32, 6);
        FinalMeasurements.Plan plan = FinalMeasurements.Plan.p1(0);
        List<Integer> seen = new ArrayList<>();
        Map<String, double[]> two = FinalMeasurements.measure(m, data, 2, plan, seen::add);
        assertEquals(List.of(1, 2), seen);
        Map<String, double[]> b0 = FinalMeasurements.measure(m, data, 1, plan, null);
        Map<String, double[]> b1 = FinalMeasurements.measure(m, i -> data.apply(1), 1, plan, null);
        for (String k : List.of("loss", "accuracy", "sharpness", "blowup_encoder_maxs_prod", "inv_std_encoder_1_ln2_max")) {
            double mean = (b0.get(k)[0] + b1.get(k)[0]) / 2;
            assertEquals(mean, two.get(k)[0], 1e-9 * Math.abs(mean) + 1e-15, k + ": fixed directions make batch 1 measure as alone");
        }
        double s = two.get("sharpness")[0], norm = two.get("param_norm")[0];
        assertEquals(4 * s, two.get("sharpness_x4")[0], 1e-15);
        assertEquals(norm * norm, two.get("squared_param_norm")[0], 1e-9 * norm * norm);
        assertEquals(ParameterNorm.of(m, ParameterNorm.P1_EXCLUDE)[0], norm, 1e-12);
        assertEquals(norm * two.get("blowup_encoder_maxs_prod")[0], two.get("param_norm_x_blowup")[0], 1e-12 * norm);
        for (String v : List.of("maxs_prod", "means_prod", "maxs_sum", "means_sum")) {
            assertEquals(norm * two.get("blowup_encoder_" + v)[0], two.get("param_norm_x_blowup_encoder_" + v)[0], 1e-12 * norm, v);
        }
        for (double[] v : two.values()) assertTrue(Double.isFinite(v[0]));
    }

    /** A measurement stopped after batch 3 of 5 and continued from its partial sums gives the bits of one that never stopped. */
    @Test
    void aMeasurementContinuedFromItsPartialSumsHasTheBitsOfAnUninterruptedOne() {
        P1Transformer m = SharpnessTest.small(4);
        IntFunction<Batch> data = batches(5, 32, 4);
        FinalMeasurements.Plan plan = FinalMeasurements.Plan.p1(0);
        Map<String, double[]> whole = FinalMeasurements.measure(m, data, 5, plan, null);
        FinalMeasurements.Partial[] kept = new FinalMeasurements.Partial[1];
        RuntimeException stop = new RuntimeException("killed");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> FinalMeasurements.measure(m, data, 5, plan,
                FinalMeasurements.Partial.NONE, p -> {
                    Map<String, double[]> copy = new java.util.LinkedHashMap<>();
                    p.sums().forEach((k, v) -> copy.put(k, v.clone()));
                    kept[0] = new FinalMeasurements.Partial(p.done(), copy);
                }, done -> {
                    if (done == 3) throw stop;
                }));
        assertSame(stop, thrown);
        assertEquals(3, kept[0].done());
        List<Integer> seen = new ArrayList<>();
        Map<String, double[]> resumed = FinalMeasurements.measure(m, data, 5, plan, kept[0], p -> { }, seen::add);
        assertEquals(List.of(4, 5), seen, "only batches 3 and 4 are measured again");
        assertEquals(whole.keySet(), resumed.keySet());
        whole.forEach((k, v) -> assertEquals(Double.doubleToLongBits(v[0]), Double.doubleToLongBits(resumed.get(k)[0]), k));

        FinalMeasurements.Plan fresh = new FinalMeasurements.Plan(true, new SharpnessConfig(0.02, 3, 0, ParameterNorm.P1_EXCLUDE, false),
                ParameterNorm.P1_EXCLUDE);
        assertFalse(FinalMeasurements.resumable(fresh));
        var refused = assertThrows(IllegalArgumentException.class, () -> FinalMeasurements.measure(m, data, 5, fresh, kept[0], p -> { }, null));
        assertEquals("measure: fresh sharpness directions cannot be resumed", refused.getMessage());
    }

    /** The measurement reuses its loss pass (run under the blowup hooks) as sharpness's L(θ): the bits of a standalone sharpness. */
    @Test
    void sharpnessReusingTheMeasuredLossHasTheBitsOfAStandaloneOne() {
        P1Transformer m = SharpnessTest.small(9);
        IntFunction<Batch> data = batches(5, 32, 9);
        FinalMeasurements.Plan plan = FinalMeasurements.Plan.p1(0);
        double measured = FinalMeasurements.measure(m, data, 1, plan, null).get("sharpness")[0];
        double alone = new Sharpness(m, plan.sharpness()).next(P1Objective.lossOn(m, data.apply(0)))[0];
        assertEquals(Double.doubleToLongBits(alone), Double.doubleToLongBits(measured), alone + " against " + measured);
    }

    @Test
    void freshDirectionsGiveBatchesTheirOwnNoise() {
        P1Transformer m = SharpnessTest.small(7);
        SharpnessConfig fresh = new SharpnessConfig(0.02, 10, 0, ParameterNorm.P1_EXCLUDE, false);
        IntFunction<Batch> same = i -> batches(5, 32, 7).apply(0);
        double fixed = FinalMeasurements.measure(m, same, 2, FinalMeasurements.Plan.p1(0), null).get("sharpness")[0];
        double first = FinalMeasurements.measure(m, same, 1, FinalMeasurements.Plan.p1(0), null).get("sharpness")[0];
        assertEquals(first, fixed, 1e-9 * Math.abs(first), "the same batch twice with the same directions");
        double varied = FinalMeasurements.measure(m, same, 2, new FinalMeasurements.Plan(false, fresh, null), null).get("sharpness")[0];
        assertNotEquals(first, varied);
    }

    @Test
    void aPlanMeasuresOnlyWhatItNames() {
        P1Transformer m = SharpnessTest.small(8);
        Map<String, double[]> v = FinalMeasurements.measure(m, batches(5, 16, 8), 1, new FinalMeasurements.Plan(false, null, null), null);
        assertEquals(List.of("loss", "accuracy"), List.copyOf(v.keySet()));
    }
}
