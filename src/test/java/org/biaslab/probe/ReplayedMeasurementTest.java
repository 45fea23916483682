package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.data.Batch;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.cuda.Cuda;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** P1's measurement replayed from CUDA graphs has the eager measurement's bits, batch after batch (GPU only). */
class ReplayedMeasurementTest {
    private static final FinalMeasurements.Plan PLAN = FinalMeasurements.Plan.p1(5);

    @Test
    void replayedBatchesGiveTheEagerBitsAndLeaveTheParametersAsTheyWere() {
        Assumptions.assumeTrue(Cuda.available(), () -> "skipped: no CUDA device (" + Cuda.unavailableReason() + ")");
        CudaGraph.prepare(); // eager GEMMs with the cuBLAS workspace the captures use
        P1Transformer m = SharpnessTest.small(3, 4);
        m.to(Device.CUDA);
        Map<String, double[]> before = new LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> before.put(k, v.toDoubleArray()));
        Sharpness eager = new Sharpness(m, PLAN.sharpness()), replaying = new Sharpness(m, PLAN.sharpness());
        Batch first = SharpnessTest.batch(6, 32, 3, 4);
        try (ReplayedMeasurement replayed = ReplayedMeasurement.capture(m, PLAN, replaying, first)) {
            assertNotNull(replayed, "a P1 model on the GPU with fixed directions replays");
            for (Batch b : new Batch[] {first, SharpnessTest.batch(6, 32, 7, 8)}) {
                Map<String, double[]> expected = FinalMeasurements.measureBatch(m, b.to(Device.CUDA), PLAN, eager);
                replayed.launch(b);
                Map<String, double[]> actual = replayed.values(replayed.take());
                assertEquals(expected.keySet().stream().toList(), actual.keySet().stream().toList());
                expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
            }
        }
        m.namedParameters().forEach((k, v) -> assertArrayEquals(before.get(k), v.toDoubleArray(), k));
    }

    @Test
    void theQueuedMeasurementAddsEveryBatchOnce() {
        Assumptions.assumeTrue(Cuda.available(), () -> "skipped: no CUDA device (" + Cuda.unavailableReason() + ")");
        CudaGraph.prepare();
        P1Transformer m = SharpnessTest.small(3, 4);
        m.to(Device.CUDA);
        Batch[] batches = {SharpnessTest.batch(6, 32, 1, 2), SharpnessTest.batch(6, 32, 3, 4), SharpnessTest.batch(6, 32, 5, 6)};
        Sharpness eager = new Sharpness(m, PLAN.sharpness());
        Map<String, double[]> expected = new LinkedHashMap<>();
        for (Batch b : batches) {
            FinalMeasurements.measureBatch(m, b.to(Device.CUDA), PLAN, eager).forEach((k, v) -> {
                double[] sum = expected.computeIfAbsent(k, x -> new double[v.length]);
                for (int e = 0; e < v.length; e++) sum[e] += v[e] / batches.length;
            });
        }
        int[] partials = {0};
        Map<String, double[]> measured = FinalMeasurements.measure(m, i -> batches[i], batches.length, PLAN,
                FinalMeasurements.Partial.NONE, p -> assertEquals(++partials[0], p.done()), null);
        assertEquals(batches.length, partials[0]);
        expected.forEach((k, v) -> assertArrayEquals(v, measured.get(k), k));
    }

    @Test
    void onTheCpuOrWithFreshDirectionsTheBatchesRunEagerly() {
        P1Transformer m = SharpnessTest.small(3);
        Batch b = SharpnessTest.batch(6, 32, 3);
        assertNull(ReplayedMeasurement.capture(m, PLAN, new Sharpness(m, PLAN.sharpness()), b));
        Assumptions.assumeTrue(Cuda.available(), () -> "the rest needs a CUDA device (" + Cuda.unavailableReason() + ")");
        m.to(Device.CUDA);
        SharpnessConfig fresh = new SharpnessConfig(0.02, 10, 0, ParameterNorm.P1_EXCLUDE, false);
        assertNull(ReplayedMeasurement.capture(m, PLAN, new Sharpness(m, fresh), b));
    }
}
