package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Results must not depend on whether the JIT has compiled a kernel yet: the first (interpreted) call and a call
 * after thousands of warm-up calls give the same bits. Vector reductions and vector transcendentals broke this.
 */
class WarmupInvarianceTest {
    private static void sameBeforeAndAfterWarmup(Supplier<Tensor> op) {
        float[] first = op.get().toFloatArray();
        for (int i = 0; i < 4000; i++) op.get();
        assertArrayEquals(first, op.get().toFloatArray());
    }

    @Test
    void reductionsSoftmaxLayerNormAndTranscendentals() {
        Tensor x = Tensor.randn(new Rng(1), DType.F32, 6, 77).mul(3);
        Tensor g = Tensor.randn(new Rng(2), DType.F32, 77), b = Tensor.randn(new Rng(3), DType.F32, 77);
        sameBeforeAndAfterWarmup(() -> x.sum(true, 1));
        sameBeforeAndAfterWarmup(() -> x.softmax(-1));
        sameBeforeAndAfterWarmup(() -> x.logSoftmax(-1));
        sameBeforeAndAfterWarmup(() -> x.layerNorm(g, b, 1e-5));
        sameBeforeAndAfterWarmup(() -> Tensor.concat(0, x.exp(), x.abs().add(0.1).log(), x.tanh(), x.sigmoid(), x.gelu()));
    }

    @Test
    void fusedAttentionForwardAndBackward() {
        Tensor q = Tensor.randn(new Rng(4), DType.F32, 2, 7, 40), k = Tensor.randn(new Rng(5), DType.F32, 2, 9, 40);
        Tensor v = Tensor.randn(new Rng(6), DType.F32, 2, 9, 40), w = Tensor.randn(new Rng(7), DType.F32, 2, 7, 40);
        sameBeforeAndAfterWarmup(() -> {
            Tensor[] in = {q.detach().requiresGrad(true), k.detach().requiresGrad(true), v.detach().requiresGrad(true)};
            Tensor z = Tensor.attention(in[0], in[1], in[2], 2, 0.3, true);
            z.mul(w).sum().backward();
            return Tensor.concat(-2, z.detach(), in[0].grad(), in[1].grad(), in[2].grad());
        });
    }
}
