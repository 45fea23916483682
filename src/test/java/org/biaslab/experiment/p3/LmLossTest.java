package org.biaslab.experiment.p3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LmLossTest {
    /** −log softmax(z)[y] written out. */
    static double nll(double[] z, int y) {
        double s = 0;
        for (double v : z) s += Math.exp(v);
        return Math.log(s) - z[y];
    }

    @Test
    void perSequenceMeanOverRealTargetsThenBatchMean() {
        double[][] z = {{1, 2, 0}, {0.5, -1, 3}, {2, 2, -2}, {9, 9, 9}}; // (B = 2, T = 2, V = 3) flattened by position
        int[] y = {2, 0, 1, 1};
        int[] mask = {1, 1, 1, 0}; // sequence 1 has one real target; its padded position must not count
        double[] flat = new double[12];
        for (int i = 0; i < 4; i++) System.arraycopy(z[i], 0, flat, 3 * i, 3);
        Tensor logits = Tensor.of(flat, 2, 2, 3);
        double expected = ((nll(z[0], 2) + nll(z[1], 0)) / 2 + nll(z[2], 1) / 1) / 2;
        Tensor loss = LmLoss.batchLoss(logits, Tensor.ofInts(y, 2, 2), Tensor.ofInts(mask, 2, 2), 1);
        assertEquals(expected, loss.item(), 1e-12);
        // two members: each its own loss over the same targets
        double[] both = new double[24];
        System.arraycopy(flat, 0, both, 0, 12);
        for (int i = 0; i < 12; i++) both[12 + i] = 2 * flat[i];
        double[] scaled = new double[12];
        for (int i = 0; i < 12; i++) scaled[i] = 2 * flat[i];
        double second = LmLoss.batchLoss(Tensor.of(scaled, 2, 2, 3), Tensor.ofInts(y, 2, 2), Tensor.ofInts(mask, 2, 2), 1).item();
        assertArrayEquals(new double[] {expected, second},
                LmLoss.batchLoss(Tensor.of(both, 2, 2, 2, 3), Tensor.ofInts(y, 2, 2), Tensor.ofInts(mask, 2, 2), 2).toDoubleArray(), 1e-12);
    }

    @Test
    void theGradientReachesOnlyRealTargets() {
        Tensor logits = Tensor.of(new double[12], 2, 2, 3).to(DType.F64).requiresGrad(true);
        LmLoss.batchLoss(logits, Tensor.ofInts(new int[] {2, 0, 1, 1}, 2, 2), Tensor.ofInts(new int[] {1, 1, 1, 0}, 2, 2), 1).backward();
        double[] g = logits.grad().toDoubleArray();
        // uniform softmax 1/3: d/dz = w·(1/3 − onehot); weights 1/4, 1/4, 1/2, 0
        assertArrayEquals(new double[] {1 / 12.0, 1 / 12.0, -2 / 12.0, -2 / 12.0, 1 / 12.0, 1 / 12.0, 1 / 6.0, -2 / 6.0, 1 / 6.0, 0, 0, 0}, g, 1e-12);
    }
}
