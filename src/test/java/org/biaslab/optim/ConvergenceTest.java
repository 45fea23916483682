package org.biaslab.optim;

import static org.biaslab.optim.Fixtures.named;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Both optimisers minimise an ill-conditioned convex quadratic ½ Σ aᵢ(xᵢ − cᵢ)², with aᵢ ∈ [0.5, 5]. */
class ConvergenceTest {
    private static final Tensor A = Tensor.uniform(new Rng(1), DType.F64, 0.5, 5, 10);
    private static final Tensor C = Tensor.uniform(new Rng(2), DType.F64, -3, 3, 10);

    private static double distanceAfter(Optimizer<?> opt, int steps) {
        Tensor x = opt.params().get("x");
        for (int k = 0; k < steps; k++) {
            opt.zeroGrad();
            x.sub(C).pow(2.0).mul(A).sum().mul(0.5).backward();
            opt.step();
        }
        return Math.sqrt(x.sub(C).pow(2.0).sum().item());
    }

    @Test
    void adamwConverges() {
        AdamW opt = new AdamW(named("x", Tensor.zeros(DType.F64, A.shape())), new AdamWConfig(0.1, 0.9, 0.999, 1e-8, 0),
                Schedule.parse("cosine", 2000));
        double d = distanceAfter(opt, 2000);
        assertTrue(d < 1e-4, "AdamW ended at distance " + d);
    }

    @Test
    void sgdWithMomentumConverges() {
        Sgd opt = new Sgd(named("x", Tensor.zeros(DType.F64, A.shape())), new SgdConfig(0.05, 0.9, 0, 0, false), Schedule.constant());
        double d = distanceAfter(opt, 500);
        assertTrue(d < 1e-8, "SGD ended at distance " + d);
    }
}
