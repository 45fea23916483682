package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LearnedSensitivityTest {
    /** A "model" computing g(bits of a row) for every row of (B, n). */
    static Function<Tensor, Tensor> rows(int n, ToDoubleFunction<int[]> g) {
        return bits -> {
            int[] all = bits.toIntArray();
            int b = all.length / n;
            float[] out = new float[b];
            for (int r = 0; r < b; r++) out[r] = (float) g.applyAsDouble(java.util.Arrays.copyOfRange(all, r * n, (r + 1) * n));
            return Tensor.of(out, b);
        };
    }

    static int weight(int[] x) {
        int w = 0;
        for (int v : x) w += v;
        return w;
    }

    @Test
    void parityHasSensitivityNThresholdedAndRaw() {
        LearnedSensitivity s = LearnedSensitivity.exact(10, rows(10, x -> weight(x) % 2), 300);
        assertEquals(10, s.thresholded().mean(), 1e-12);
        assertEquals(10, s.raw().mean(), 1e-12);
        assertEquals(0, s.samples());
    }

    @Test
    void majorityHasItsClosedForm() {
        // n·C(n−1, ⌊n/2⌋)/2^(n−1) at n = 7: 7·20/64
        LearnedSensitivity s = LearnedSensitivity.exact(7, rows(7, x -> weight(x) > 7 - weight(x) ? 1 : 0), 1000);
        assertEquals(2.1875, s.thresholded().mean(), 1e-12);
    }

    @Test
    void softOutputsThresholdToTheFunctionAndTheRawValueScalesWithTheirRange() {
        // outputs 0.25 / 0.75 for parity 0 / 1: thresholded it is parity; raw differences are 0.5, squared 0.25
        LearnedSensitivity s = LearnedSensitivity.exact(8, rows(8, x -> 0.25 + 0.5 * (weight(x) % 2)), 64);
        assertEquals(8, s.thresholded().mean(), 1e-12);
        assertEquals(2, s.raw().mean(), 1e-9);
    }

    @Test
    void sampledParityAtLargeNIsExactlyNWithAZeroWidthInterval() {
        LearnedSensitivity s = LearnedSensitivity.sampled(40, rows(40, x -> weight(x) % 2), 100, 1, 410);
        assertEquals(40, s.thresholded().mean());
        assertEquals(0, s.thresholded().halfWidth());
        assertEquals(100, s.samples());
    }

    @Test
    void sampledAndExactAgreeOnAnUntrainedTransformer() {
        P1Transformer m = new P1Transformer(16, 2, 2, 16, Init.f32(3));
        LearnedSensitivity exact = LearnedSensitivity.exact(9, LearnedSensitivity.of(m), 512);
        LearnedSensitivity sampled = LearnedSensitivity.sampled(9, LearnedSensitivity.of(m), 800, 5, 1000);
        assertTrue(exact.raw().mean() > 0 && exact.raw().mean() < 9);
        double bw = Math.max(sampled.thresholded().halfWidth(), 1e-9), rw = sampled.raw().halfWidth();
        assertEquals(exact.thresholded().mean(), sampled.thresholded().mean(), 2 * bw, "within two 95% half-widths");
        assertEquals(exact.raw().mean(), sampled.raw().mean(), 2 * rw);
    }

    @Test
    void exactEvaluationRefusesTooLargeN() {
        var e = assertThrows(IllegalArgumentException.class, () -> LearnedSensitivity.exact(21, rows(21, x -> 0), 1024));
        assertTrue(e.getMessage().contains("n = 21"), e.getMessage());
    }
}
