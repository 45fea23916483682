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
        Tensor theta = wq.reshape(36).detach().requiresGrad(true);
        Tensor v = randn64(6, 36);
        Tensor hv = hvp(loss, theta, v);
        double h = 1e-5;
        double[] plus = gradAt(loss, theta.add(v.mul(h)));
        double[] minus = gradAt(loss, theta.sub(v.mul(h)));
        for (int i = 0; i < 36; i++) {
            double numeric = (plus[i] - minus[i]) / (2 * h);
            assertEquals(numeric, hv.get(i), 1e-7 * Math.max(1, Math.abs(numeric)), "component " + i);
        }
    }

    private static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        Tensor g = Autograd.grad(f.apply(x), new Tensor[] {x}, null, true)[0];
        return Autograd.grad(g.mul(v).sum(), new Tensor[] {x}, null, false)[0];
    }

    private static double[] gradAt(Function<Tensor, Tensor> f, Tensor at) {
        Tensor x = at.detach().requiresGrad(true);
        return Autograd.grad(f.apply(x), new Tensor[] {x}, null, false)[0].toDoubleArray();
    }
}
