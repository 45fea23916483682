package org.biaslab.tensor;

import static org.biaslab.tensor.GradCheck.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

class AutogradTest {
    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        x.mul(x).sum().backward();
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {5, 7, 9}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = Tensor.of(new double[] {2}, 1).requiresGrad(true);
        Tensor y = x.mul(x).add(x); // y = x² + x, dy/dx = 2x + 1
        y.sum().backward();
        assertEquals(5, x.grad().item());
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y;
        try (var s = GradMode.off()) {
            y = x.mul(2);
        }
        assertFalse(y.requiresGrad());
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(2).requiresGrad());
        assertFalse(x.detach().requiresGrad());
    }

    @Test
    void aSecondBackwardThroughAFreedGraphIsAClearError() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("already freed"), e.getMessage());
    }

    @Test
    void onlyScalarsAndFloatingLeavesCanStartOrReceiveGradients() {
        assertThrows(ShapeException.class, () -> Tensor.zeros(2).requiresGrad(true).mul(2).backward());
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofInts(new int[] {1}, 1).requiresGrad(true));
        Tensor y = Tensor.zeros(2).requiresGrad(true).mul(2);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(true));
    }

    @Test
    void gradientsFromSeveralSeededRootsAreThoseOfTheirDotProductWithTheSeeds() {
        Tensor x = randn64(61, 3, 4).requiresGrad(true);
        Tensor y1 = x.tanh(), y2 = x.mul(x).sum(true, -1), constant = randn64(62, 2);
        Tensor s1 = randn64(63, 3, 4), s2 = randn64(64, 3, 1);
        Tensor[] once = Autograd.grad(new Tensor[] {y1, y2, constant}, new Tensor[] {s1, s2, randn64(65, 2)}, new Tensor[] {x}, false, true);
        Tensor dot = Autograd.grad(y1.mul(s1).sum().add(y2.mul(s2).sum()), new Tensor[] {x}, null, false)[0];
        assertArrayEquals(dot.toDoubleArray(), once[0].toDoubleArray(), 1e-14);
        assertThrows(ShapeException.class, () -> Autograd.grad(new Tensor[] {y1}, new Tensor[] {s2}, new Tensor[] {x}, false, false));
    }

    @Test
    void hessianOfACubicIsDiagonal() {
        Tensor x = Tensor.of(new double[] {1, -2, 0.5}, 3).requiresGrad(true);
        Tensor v = Tensor.of(new double[] {1, 1, 2}, 3);
        Tensor hv = hvp(t -> t.pow(3.0).sum(), x, v);
        assertArrayEquals(new double[] {6, -12, 6}, hv.toDoubleArray(), 1e-12); // H = diag(6x)
    }

    /** A small attention-and-layer-norm network: its Hessian-vector product against differences of gradients. */
    @Test
    void hessianVectorProductsThroughATransformerBlockMatchFiniteDifferences() {
        Tensor in = randn64(1, 2, 4, 6);
        Tensor wq = randn64(2, 6, 6).mul(0.4), wv = randn64(3, 6, 6).mul(0.4);
        Tensor gamma = randn64(4, 6), beta = randn64(5, 6);
        Function<Tensor, Tensor> loss = theta -> {
            Tensor q = in.matmul(theta.reshape(6, 6));
            Tensor att = q.matmulT(in).mul(1 / Math.sqrt(6)).softmax(-1);
            Tensor h = att.matmul(in.matmul(wv)).add(in).layerNorm(gamma, beta, 1e-5);
            return h.gelu().tanh().mean().add(h.pow(2.0).mean()).add(theta.sigmoid().sum().mul(0.01));
        };
        GradCheck.checkHvp(loss, wq.reshape(36), 1e-7);
    }

    /** GELU's tanh form (GPT-2, BERT in TensorFlow) has second derivatives: a recorded backward composes its derivative. */
    @Test
    void hessianVectorProductsThroughTanhGeluMatchFiniteDifferences() {
        Tensor w = randn64(8, 5, 4);
        GradCheck.checkHvp(x -> x.reshape(4, 5).matmul(w).geluTanh().pow(2.0).sum(), randn64(9, 20), 1e-7);
        GradCheck.check(x -> x[0].geluTanh(), randn64(10, 7).mul(2)); // the kernel's first derivative is unchanged
    }

    /** With retainGraph one gradient graph serves several Hessian-vector products, each equal to a fresh one. */
    @Test
    void aRetainedGradientGraphGivesRepeatedHessianVectorProducts() {
        Tensor x = randn64(11, 6).requiresGrad(true);
        Function<Tensor, Tensor> f = t -> t.tanh().pow(3.0).sum().add(t.exp().sum().log());
        Tensor g = Autograd.grad(f.apply(x), new Tensor[] {x}, null, true)[0];
        for (long seed = 0; seed < 3; seed++) {
            Tensor v = randn64(20 + seed, 6);
            double[] reused = Autograd.grad(g.mul(v).sum(), new Tensor[] {x}, null, false, true)[0].toDoubleArray();
            Tensor fresh = Autograd.grad(f.apply(x), new Tensor[] {x}, null, true)[0];
            assertArrayEquals(Autograd.grad(fresh.mul(v).sum(), new Tensor[] {x}, null, false)[0].toDoubleArray(), reused, 1e-13);
        }
    }

    private static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        Tensor g = Autograd.grad(f.apply(x), new Tensor[] {x}, null, true)[0];
        return Autograd.grad(g.mul(v).sum(), new Tensor[] {x}, null, false)[0];
    }
}
