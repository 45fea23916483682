package org.biaslab.tensor;

import static org.biaslab.tensor.GradCheck.check;
import static org.biaslab.tensor.GradCheck.matchesReference;
import static org.biaslab.tensor.GradCheck.randn;
import static org.biaslab.tensor.GradCheck.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NeuralOpsTest {
    @Test
    void softmaxRowsSumToOneAndAreShiftInvariant() {
        Tensor a = randn64(1, 4, 7).mul(10);
        Tensor p = a.softmax(-1);
        double[] sums = p.sum(false, -1).toDoubleArray();
        for (double s : sums) assertEquals(1, s, 1e-12);
        double[] shifted = a.add(1000).softmax(-1).toDoubleArray();
        double[] plain = p.toDoubleArray();
        for (int i = 0; i < plain.length; i++) assertEquals(plain[i], shifted[i], 1e-12);
        double[] logp = a.logSoftmax(-1).toDoubleArray();
        for (int i = 0; i < plain.length; i++) assertEquals(Math.log(plain[i]), logp[i], 1e-12);
    }

    @Test
    void softmaxKernelsAndGradients() {
        matchesReference(x -> x[0].softmax(-1), 1e-6, randn(1, 3, 5, 37));
        matchesReference(x -> x[0].logSoftmax(-1), 1e-5, randn(1, 3, 5, 37));
        check(x -> x[0].softmax(-1), randn64(2, 3, 5));
        check(x -> x[0].softmax(0), randn64(3, 3, 5));
        check(x -> x[0].logSoftmax(-1), randn64(4, 2, 6));
    }

    @Test
    void addLayerNormAndBiasReluAreTheOpsTheyJoin() {
        Tensor x = randn64(1, 2, 3, 8), a = randn64(2, 2, 3, 8), b = randn64(3, 2, 8), g = randn64(4, 2, 8), beta = randn64(5, 2, 8);
        Tensor composed = x.add(a.add(b.reshape(2, 1, 8))).layerNorm(g, beta, 1e-5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(composed.toDoubleArray(), Tensor.addLayerNorm(x, a, b, g, beta, 1e-5).toDoubleArray());
        check(t -> Tensor.addLayerNorm(t[0], t[1], t[2], t[3], t[4], 1e-5), x, a, b, g, beta);
        check(t -> t[0].biasRelu(t[1]), a, b);
        check(t -> t[0].biasRelu(t[1]), randn64(6, 4, 8), randn64(7, 8));
        var err = org.junit.jupiter.api.Assertions.assertThrows(ShapeException.class, () -> a.biasRelu(randn64(8, 3, 8)));
        assertEquals("bias [3, 8] fits neither [8] nor [E, 8] for input [2, 3, 8]", err.getMessage());
    }

    @Test
    void layerNormMatchesItsDefinition() {
        Tensor x = randn64(1, 5, 8).mul(3).add(2);
        Tensor y = x.layerNorm(null, null, 1e-5);
        Tensor expected = x.sub(x.mean(true, -1)).div(x.var(true, 0, -1).add(1e-5).sqrt());
        double[] a = y.toDoubleArray(), b = expected.toDoubleArray();
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-12);
    }

    @Test
    void layerNormKernelsAndGradients() {
        Tensor g = randn(2, 40), b = randn(3, 40);
        matchesReference(x -> x[0].layerNorm(x[1], x[2], 1e-5), 1e-5, randn(1, 3, 7, 40), g, b);
        matchesReference(x -> x[0].layerNorm(null, null, 1e-5), 1e-5, randn(1, 3, 7, 40));
        check(x -> x[0].layerNorm(x[1], x[2], 1e-5), randn64(1, 3, 6), randn64(2, 6), randn64(3, 6));
        check(x -> x[0].layerNorm(null, null, 1e-5), randn64(4, 2, 3, 5));
        Tensor gr = randn(4, 3, 7, 40);
        matchesReference(x -> {
            Tensor xx = x[0].detach().requiresGrad(true), gg = x[1].detach().requiresGrad(true), bb = x[2].detach().requiresGrad(true);
            xx.layerNorm(gg, bb, 1e-5).mul(gr).sum().backward();
            return Tensor.concat(0, xx.grad().reshape(-1), gg.grad(), bb.grad());
        }, 1e-4, randn(1, 3, 7, 40), g, b);
    }

    @Test
    void layerNormWithOneAffinePerEnsembleMemberEqualsSeparateLayerNorms() {
        Tensor x = randn(1, 3, 4, 5, 40), g = randn(2, 3, 40), b = randn(3, 3, 40);
        matchesReference(t -> t[0].layerNorm(t[1], t[2], 1e-5), 1e-5, x, g, b);
        Tensor all = x.layerNorm(g, b, 1e-5);
        for (int e = 0; e < 3; e++) {
            Tensor one = x.slice(0, e, e + 1).reshape(4, 5, 40).layerNorm(g.slice(0, e, e + 1).reshape(40), b.slice(0, e, e + 1).reshape(40), 1e-5);
            org.junit.jupiter.api.Assertions.assertArrayEquals(one.toFloatArray(), all.slice(0, e, e + 1).toFloatArray());
        }
        check(t -> t[0].layerNorm(t[1], t[2], 1e-5), randn64(4, 2, 3, 5), randn64(5, 2, 5), randn64(6, 2, 5));
        var err = org.junit.jupiter.api.Assertions.assertThrows(ShapeException.class, () -> x.layerNorm(randn(1, 2, 40), randn(1, 2, 40), 1e-5));
        assertTrue(err.getMessage().contains("fits neither"), err.getMessage());
    }

    @Test
    void mseAndCrossEntropyClosedForms() {
        Tensor p = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), t = Tensor.of(new double[] {1, 0, 3, 2}, 2, 2);
        assertEquals((0 + 4 + 0 + 4) / 4.0, p.mse(t).item(), 1e-15);
        check(x -> x[0].mse(x[1]), randn64(1, 3, 4), randn64(2, 3, 4));
        Tensor logits = Tensor.of(new double[] {0, 0, 0, Math.log(3), 0, 0}, 2, 3);
        Tensor cls = Tensor.ofInts(new int[] {1, 0}, 2);
        assertEquals((Math.log(3) + Math.log(5.0 / 3)) / 2, logits.crossEntropy(cls).item(), 1e-12);
        check(x -> x[0].crossEntropy(cls), randn64(3, 2, 3));
        matchesReference(x -> x[0].crossEntropy(cls), 1e-5, randn(3, 2, 3));
        var e = org.junit.jupiter.api.Assertions.assertThrows(ShapeException.class, () -> p.mse(Tensor.zeros(DType.F64, Shape.of(4))));
        assertTrue(e.getMessage().contains("mse: prediction [2, 2] and target [4] differ"));
    }
}
