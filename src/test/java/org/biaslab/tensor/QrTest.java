package org.biaslab.tensor;

import static org.biaslab.tensor.GradCheck.check;
import static org.biaslab.tensor.GradCheck.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QrTest {
    /** Largest |x − y| over the elements of two tensors of one shape. */
    private static double maxDiff(Tensor x, Tensor y) {
        assertEquals(x.shape(), y.shape());
        double[] a = x.toDoubleArray(), b = y.toDoubleArray();
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static Tensor eye(int n, int batch, DType dtype) {
        double[] v = new double[batch * n * n];
        for (int b = 0; b < batch; b++) for (int i = 0; i < n; i++) v[b * n * n + i * n + i] = 1;
        return Tensor.of(v, batch, n, n).to(dtype);
    }

    @Test
    void factorsAreOrthonormalTriangularWithNonNegativeDiagonalAndMultiplyBack() {
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            double tol = dtype == DType.F64 ? 1e-12 : 1e-5;
            Tensor a = Tensor.randn(new Rng(3), dtype, 2, 3, 7, 5); // batch (2, 3) of 7×5 matrices
            Qr qr = a.qr();
            assertEquals(Shape.of(2, 3, 7, 5), qr.q().shape());
            assertEquals(Shape.of(2, 3, 5, 5), qr.r().shape());
            assertEquals(dtype, qr.q().dtype());
            assertTrue(maxDiff(qr.q().matmul(qr.r()), a) < 10 * tol, dtype + ": QR = A");
            assertTrue(maxDiff(qr.q().transpose(-2, -1).matmul(qr.q()).reshape(6, 5, 5), eye(5, 6, dtype)) < tol, dtype + ": QᵀQ = I");
            double[] r = qr.r().toDoubleArray();
            for (int b = 0; b < 6; b++) {
                for (int i = 0; i < 5; i++) {
                    assertTrue(r[b * 25 + i * 5 + i] >= 0, "diag R >= 0");
                    for (int j = 0; j < i; j++) assertEquals(0, r[b * 25 + i * 5 + j], "R is upper triangular");
                }
            }
        }
    }

    @Test
    void theSignConventionMakesTheFactorsUnique() {
        // A = Q₀ R₀ with R₀'s diagonal positive: the decomposition must give back exactly these factors
        Tensor q0 = randn64(1, 6, 6).qr().q();
        Tensor r0 = Tensor.of(new double[] {
                2, 1, -1, 0.5, 0.2, 1, 0, 3, 0.4, -2, 1, 0, 0, 0, 1.5, 1, 1, 1, 0, 0, 0, 0.7, -1, 2,
                0, 0, 0, 0, 2.5, 1, 0, 0, 0, 0, 0, 1.2}, 6, 6);
        Qr qr = q0.matmul(r0).qr();
        assertTrue(maxDiff(qr.q(), q0) < 1e-12);
        assertTrue(maxDiff(qr.r(), r0) < 1e-12);
    }

    @Test
    void gradientsOfBothFactors() {
        check(x -> x[0].qr().q(), randn64(1, 5, 5));
        check(x -> x[0].qr().r(), randn64(2, 5, 5));
        check(x -> x[0].qr().q(), randn64(3, 7, 4)); // tall
        check(x -> x[0].qr().r(), randn64(4, 7, 4));
    }

    @Test
    void gradientsOfABatchThroughBothFactorsAtOnce() {
        // Q and R both used: their contributions add up in A's gradient; a leading (E, H) batch as the reparameterisation has
        check(x -> {
            Qr qr = x[0].qr();
            return qr.q().mul(qr.q().sum(true, -1)).add(qr.r().sum(true, -2).mul(2)).matmul(qr.q().transpose(-2, -1));
        }, randn64(5, 2, 3, 4, 4));
    }

    @Test
    void float32GradientsAgreeWithFloat64() {
        Tensor a64 = randn64(6, 3, 6, 6).requiresGrad(true);
        Tensor a32 = a64.detach().to(DType.F32).requiresGrad(true);
        Tensor w = randn64(7, 3, 6, 6);
        a64.qr().q().mul(w).sum().backward();
        a32.qr().q().mul(w.to(DType.F32)).sum().backward();
        assertTrue(maxDiff(a32.grad(), a64.grad()) < 1e-3);
    }

    @Test
    void wideMatricesAreRefused() {
        var e = assertThrows(ShapeException.class, () -> randn64(1, 3, 5).qr());
        assertTrue(e.getMessage().contains("qr: needs m >= n"), e.getMessage());
    }

    /** Second derivatives through Q and R (P2's reparameterised ViT heads) against differences of gradients. */
    @Test
    void hessianVectorProductsThroughQrMatchFiniteDifferences() {
        Tensor w = randn64(12, 2, 4, 3), u = randn64(13, 2, 3, 3);
        GradCheck.checkHvp(x -> {
            Qr qr = x.reshape(2, 4, 3).qr();
            return qr.q().mul(w).sum().pow(2.0).add(qr.r().mul(u).sum().tanh()).add(qr.q().matmul(qr.r()).pow(3.0).sum());
        }, randn64(14, 24), 1e-6);
    }
}
