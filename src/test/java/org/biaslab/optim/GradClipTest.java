package org.biaslab.optim;

import static org.biaslab.optim.Fixtures.randn;
import static org.biaslab.optim.Fixtures.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GradClipTest {
    private static double norm(List<Tensor> params) {
        double s = 0;
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            for (double x : p.grad().toDoubleArray()) s += x * x;
        }
        return Math.sqrt(s);
    }

    private static List<Tensor> withGrads(DType dtype, double gradScale) {
        Tensor a = randn(1, dtype, 3, 4).requiresGrad(true), b = randn(2, dtype, 5).requiresGrad(true);
        Tensor unused = Tensor.zeros(dtype, a.shape()).requiresGrad(true);
        setGrad(a, randn(3, dtype, 3, 4).mul(gradScale));
        setGrad(b, randn(4, dtype, 5).mul(gradScale));
        return List.of(a, unused, b);
    }

    @Test
    void clipsToExactlyMaxNormAndReturnsTheNormBefore() {
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            List<Tensor> params = withGrads(dtype, 10);
            double before = norm(params);
            assertEquals(before, GradClip.clipNorm(params, 1.5), 1e-12 * before);
            // PyTorch's coefficient 1.5 / (N + 1e-6) leaves the norm short of 1.5 by 1.5e-6 / N relative
            double expected = 1.5 * before / (before + 1e-6);
            assertEquals(expected, norm(params), dtype == DType.F64 ? 1e-14 : 1e-6);
            assertEquals(null, params.get(1).grad());
        }
    }

    @Test
    void smallGradientsAreLeftUntouched() {
        List<Tensor> params = withGrads(DType.F32, 0.01);
        float[] before = params.getFirst().grad().toFloatArray();
        double n = GradClip.clipNorm(params, 1.0);
        assertTrue(n < 1);
        assertArrayEquals(before, params.getFirst().grad().toFloatArray());
    }

    @Test
    void aGradientSharedByTwoParametersIsScaledOnce() {
        Tensor a = randn(1, DType.F64, 4).requiresGrad(true), b = randn(2, DType.F64, 4).requiresGrad(true);
        a.add(b).mul(randn(3, DType.F64, 4).mul(10.0)).sum().backward();
        assertTrue(InPlace.sharesStorage(a.grad(), b.grad()), "the backward of add hands both inputs one gradient");
        GradClip.clipNorm(List.of(a, b), 1.0);
        assertEquals(1.0, norm(List.of(a, b)), 1e-6);
    }

    @Test
    void perMemberClippingUsesEachMembersOwnNorm() {
        Tensor w = Tensor.zeros(DType.F64, org.biaslab.tensor.Shape.of(2, 3)).requiresGrad(true);
        setGrad(w, Tensor.of(new double[] {3, 4, 0, 0.3, 0.4, 0}, 2, 3));
        double[] norms = GradClip.clipNormPerMember(List.of(w), 1.0);
        assertArrayEquals(new double[] {5, 0.5}, norms, 1e-15);
        double c = 1.0 / (5 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 4 * c, 0, 0.3, 0.4, 0}, w.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void badArgumentsAreRejected() {
        List<Tensor> params = withGrads(DType.F32, 1);
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipNorm(params, 0));
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipNorm(params, Double.NaN));
        var e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipNormPerMember(params, 1));
        assertTrue(e.getMessage().contains("no member axis of size 3"), e.getMessage());
    }
}
