package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** End to end: a small tanh MLP learns 3-bit parity (XOR of three inputs) by full-batch gradient descent. */
class TrainingTest {
    @Test
    void mlpLearnsThreeBitParityWithin200Steps() {
        float[] xs = new float[8 * 3], ys = new float[8];
        for (int i = 0; i < 8; i++) {
            for (int b = 0; b < 3; b++) xs[i * 3 + b] = ((i >> (2 - b)) & 1) * 2 - 1;
            ys[i] = Integer.bitCount(i) % 2;
        }
        Tensor x = Tensor.of(xs, 8, 3), y = Tensor.of(ys, 8, 1);
        Rng rng = new Rng(0);
        Tensor w1 = Tensor.randn(rng, DType.F32, 3, 16).mul(0.8).requiresGrad(true);
        Tensor b1 = Tensor.zeros(16).requiresGrad(true);
        Tensor w2 = Tensor.randn(rng, DType.F32, 16, 1).mul(0.3).requiresGrad(true);
        Tensor b2 = Tensor.zeros(1).requiresGrad(true);
        Tensor[] params = {w1, b1, w2, b2};
        double first = 0, last = 0;
        for (int step = 0; step < 200; step++) {
            Tensor loss = x.matmul(params[0]).add(params[1]).tanh().matmul(params[2]).add(params[3]).mse(y);
            loss.backward();
            if (step == 0) first = loss.item();
            last = loss.item();
            try (var off = GradMode.off()) {
                for (int i = 0; i < params.length; i++) {
                    params[i] = params[i].sub(params[i].grad().mul(0.1)).detach().requiresGrad(true);
                }
            }
        }
        assertTrue(first > 0.1, "initial loss " + first);
        assertTrue(last < 1e-3, "loss after 200 steps " + last + " (started at " + first + ")");
    }
}
