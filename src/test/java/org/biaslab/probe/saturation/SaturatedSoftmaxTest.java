package org.biaslab.probe.saturation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SaturatedSoftmaxTest {
    static double maxGap(double[] a, double c, double[] target) {
        double[] p = Tensor.of(a, a.length).mul(c).softmax(0).toDoubleArray();
        double gap = 0;
        for (int i = 0; i < p.length; i++) gap = Math.max(gap, Math.abs(p[i] - target[i]));
        return gap;
    }

    @Test
    void softmaxOfScaledScoresApproachesTheUniformDistributionOverTheArgmaxSet() {
        double[] a = {0.3, 1.0, -2.0, 1.0, 0.95};
        double[] sat = SaturatedSoftmax.of(a, 0);
        assertArrayEquals(new double[] {0, 0.5, 0, 0.5, 0}, sat, 0);
        double last = Double.POSITIVE_INFINITY;
        for (double c : new double[] {1, 10, 100, 1000}) {
            double gap = maxGap(a, c, sat);
            assertTrue(gap < last, "c = " + c + ": " + gap);
            last = gap;
        }
        assertTrue(last < 1e-12, "softmax(1000 a) = saturated: " + last);
    }

    @Test
    void aToleranceCountsNearTiesAndConstantScoresGiveTheMean() {
        assertArrayEquals(new double[] {0, 1 / 3.0, 0, 1 / 3.0, 1 / 3.0}, SaturatedSoftmax.of(new double[] {0.3, 1.0, -2.0, 1.0, 0.95}, 0.1), 1e-15);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, SaturatedSoftmax.of(new double[] {2, 2, 2, 2}, 0), 0);
        assertTrue(maxGap(new double[] {2, 2, 2, 2}, 1000, new double[] {0.25, 0.25, 0.25, 0.25}) < 1e-15);
        assertThrows(IllegalArgumentException.class, () -> SaturatedSoftmax.of(new double[0], 0));
    }
}
