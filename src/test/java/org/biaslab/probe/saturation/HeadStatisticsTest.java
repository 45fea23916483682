package org.biaslab.probe.saturation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class HeadStatisticsTest {
    /** Attention weights (1, 2, n, n): head 0 from constant scores (uniform), head 1 one-hot on key 0. */
    static Tensor constantAndOneHot(int n, boolean causal) {
        double[] w = new double[2 * n * n];
        for (int t = 0; t < n; t++) {
            int allowed = causal ? t + 1 : n;
            for (int s = 0; s < allowed; s++) w[t * n + s] = 1.0 / allowed;
            w[n * n + t * n] = 1;
        }
        return Tensor.of(w, 1, 2, n, n);
    }

    @Test
    void constantScoresAttendToAllNPositionsAndAOneHotHeadToOne() {
        List<HeadStatistics.Head> heads = HeadStatistics.of(Map.of("attn.hook_pattern", constantAndOneHot(6, false)), null, point -> false);
        HeadStatistics.Head mean = heads.get(0), argmax = heads.get(1);
        assertEquals(6, mean.meanPositions(), 0);
        assertEquals(1, mean.splitProbability(), 0);
        assertEquals(0, mean.stdPositions(), 0);
        assertEquals(HeadStatistics.Kind.GLOBAL, mean.kind());
        assertEquals(1, argmax.meanPositions(), 0);
        assertEquals(0, argmax.splitProbability(), 0);
        assertEquals(HeadStatistics.Kind.LOCAL, argmax.kind());
    }

    @Test
    void causalPrefixesAndPaddingAreAccountedFor() {
        // two sequences of 5 positions, the second padded after 3 tokens
        Tensor w = Tensor.concat(0, constantAndOneHot(5, true), constantAndOneHot(5, true));
        Tensor mask = Tensor.ofInts(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5);
        List<HeadStatistics.Head> heads = HeadStatistics.of(Map.of("attn.hook_pattern", w), mask, point -> true);
        double[] counts = {1, 2, 3, 4, 5, 1, 2, 3};
        double mean = 21 / 8.0, var = 0;
        for (double c : counts) var += (c - mean) * (c - mean) / counts.length;
        assertEquals(mean, heads.get(0).meanPositions(), 1e-12);
        assertEquals(6 / 8.0, heads.get(0).splitProbability(), 1e-12, "every query but the first of each sequence");
        assertEquals(Math.sqrt(var), heads.get(0).stdPositions(), 1e-12, "population std");
        assertEquals(HeadStatistics.Kind.GLOBAL, heads.get(0).kind());
        assertEquals(1, heads.get(1).meanPositions(), 0);
        assertEquals(HeadStatistics.Kind.LOCAL, heads.get(1).kind(), "one position of a causal prefix is argmax-like at every length");
    }

    @Test
    void aSaturatedModelHasEveryHeadCounted() {
        P1Transformer m = new P1Transformer(16, 2, 2, 8, Init.f32(4));
        Tensor bits = Tensor.ofInts(new int[] {0, 1, 1, 0, 1, 1, 0, 0, 1, 0}, 2, 5);
        List<HeadStatistics.Head> heads = HeadStatistics.saturated(m, () -> m.forward(bits), 1000, null, point -> false);
        assertEquals(4, heads.size(), "2 layers x 2 heads");
        for (HeadStatistics.Head h : heads) {
            assertEquals(true, h.meanPositions() >= 1 && h.meanPositions() <= 5, h.toString());
        }
    }

    @Test
    void histogramsCountEveryValue() {
        Histogram h = Histogram.of(new double[] {1, 1, 1.2, 5, 350, 351, 352}, 10);
        assertEquals(10, h.counts().length);
        assertEquals(7, java.util.Arrays.stream(h.counts()).sum());
        assertEquals(4, h.counts()[0]);
        assertEquals(3, h.counts()[9]);
        assertEquals(352, h.upper()[9], 1e-9);
    }
}
