package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.biaslab.data.Batch;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.biaslab.tensor.cuda.Cuda;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Sharpness whose perturbed passes are replayed from a CUDA graph has the eager bits, batch after batch (GPU only). */
class ReplayedSharpnessTest {
    @Test
    void replayedRepeatsGiveTheEagerBitsAndLeaveTheParametersAsTheyWere() {
        Assumptions.assumeTrue(Cuda.available(), () -> "skipped: no CUDA device (" + Cuda.unavailableReason() + ")");
        CudaGraph.prepare(); // eager GEMMs with the cuBLAS workspace the captures use
        P1Transformer m = SharpnessTest.small(3, 4);
        m.to(Device.CUDA);
        Map<String, double[]> before = new java.util.LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> before.put(k, v.toDoubleArray()));
        Sharpness eager = new Sharpness(m, SharpnessConfig.p1(5)), replaying = new Sharpness(m, SharpnessConfig.p1(5));
        Batch first = SharpnessTest.batch(6, 32, 3, 4).to(Device.CUDA);
        try (var off = GradMode.off(); ReplayedSharpness replayed = replaying.replayed(x -> P1Objective.loss(P1Objective.predict(m, x), x.y(), 2), first)) {
            assertNotNull(replayed, "fixed directions on the GPU replay");
            for (Batch b : new Batch[] {first, SharpnessTest.batch(6, 32, 7, 8).to(Device.CUDA)}) {
                Tensor base = P1Objective.lossOn(m, b).get();
                double[] expected = eager.next(base, P1Objective.lossOn(m, b)), actual = replayed.next(base, b);
                assertArrayEquals(expected, actual);
            }
        }
        m.namedParameters().forEach((k, v) -> assertArrayEquals(before.get(k), v.toDoubleArray(), k));
    }

    @Test
    void onTheCpuOrWithFreshDirectionsThePassesRunEagerly() {
        P1Transformer m = SharpnessTest.small(3);
        Batch b = SharpnessTest.batch(6, 32, 3);
        assertNull(new Sharpness(m, SharpnessConfig.p1(5)).replayed(x -> P1Objective.loss(P1Objective.predict(m, x), x.y(), 1), b));
        Assumptions.assumeTrue(Cuda.available(), () -> "the rest needs a CUDA device (" + Cuda.unavailableReason() + ")");
        m.to(Device.CUDA);
        SharpnessConfig fresh = new SharpnessConfig(0.02, 10, 0, ParameterNorm.P1_EXCLUDE, false);
        assertNull(new Sharpness(m, fresh).replayed(x -> P1Objective.loss(P1Objective.predict(m, x), x.y(), 1), b.to(Device.CUDA)));
    }
}
