package org.biaslab.probe.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.IntFunction;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Autograd;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** Hessians and Gauss-Newton matrices through the engine against closed forms. */
class CurvatureOperatorTest {
    /** One float64 parameter vector w (or (E, n) for an ensemble). */
    static final class Weights extends Module {
        Weights(Tensor w, int members) {
            super(members);
            register("w", w);
        }

        Tensor w() {
            return p("w");
        }
    }

    private static Tensor tensor(DMatrixRMaj m) {
        return Tensor.of(m.data.clone(), m.numRows, m.numCols);
    }

    private static DMatrixRMaj gaussian(int rows, int cols, long seed) {
        Rng rng = new Rng(seed);
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
        return m;
    }

    private static void assertMatrixEquals(DMatrixRMaj expected, DMatrixRMaj actual, double tol) {
        double scale = CommonOps_DDRM.elementMaxAbs(expected);
        for (int i = 0; i < expected.data.length; i++) assertEquals(expected.data[i], actual.data[i], tol * scale, "entry " + i);
    }

    /** ½ wᵀAw has Hessian A: its eigenvalues, trace and spectral measure are known exactly. */
    @Test
    void aQuadraticHasHessianAWithItsSpectrumAndTrace() {
        double[] lambda = {5, 3, 2, 1, 0.5, 0, -0.25, -1, 0.75, 1.5};
        DMatrixRMaj a = Dense.withEigenvalues(lambda, 51);
        Tensor at = tensor(a);
        Weights m = new Weights(Tensor.randn(new Rng(52), DType.F64, 10), 1);
        CurvatureOperator h = CurvatureOperator.hessian(ParameterGroup.select(m, "**", ""),
                k -> m.w().mul(at.matmul(m.w().reshape(10, 1)).reshape(10)).sum().mul(0.5), 1);
        assertMatrixEquals(a, Dense.matrixOf(h, 0), 1e-13);
        Lanczos.Result top = Lanczos.top(h, 3, true, 1e-12, 10, 53);
        assertEquals(5, top.eigenvalues()[0][0], 1e-10);
        assertEquals(3, top.eigenvalues()[0][1], 1e-10);
        assertEquals(2, top.eigenvalues()[0][2], 1e-10);
        assertEquals(-1, top.smallest()[0], 1e-10);
        assertEquals(Arrays.stream(lambda).sum(), Trace.hutchPlusPlus(h, 30, 54).trace()[0], 1e-10); // a sketch of 10 columns spans R¹⁰
    }

    /** ½ Σ d_i w_i²: Hutchinson exact with one sample, SLQ's measure the uniform one on the d_i. */
    @Test
    void aDiagonalQuadraticGivesExactHutchinsonAndDensity() {
        double[] d = {4, -1, 0.5, 2, 3, 0.1};
        Tensor dt = Tensor.of(d, 6);
        Weights m = new Weights(Tensor.randn(new Rng(55), DType.F64, 6), 1);
        CurvatureOperator h = CurvatureOperator.hessian(ParameterGroup.select(m, "w", null), k -> m.w().mul(m.w()).mul(dt).sum().mul(0.5), 1);
        assertEquals(8.6, Trace.hutchinson(h, 1, 56).trace()[0], 1e-12);
        SpectralDensity.Quadrature q = SpectralDensity.estimate(h, 6, 1, 57);
        double[] nodes = q.nodes()[0].clone(), sorted = d.clone();
        Arrays.sort(nodes);
        Arrays.sort(sorted);
        for (int i = 0; i < 6; i++) {
            assertEquals(sorted[i], nodes[i], 1e-10);
            assertEquals(1.0 / 6, q.weights()[0][i], 1e-10);
        }
    }

    /** MSE linear regression, L = (1/N)‖Xw − y‖²: H = (2/N) XᵀX, and the Gauss-Newton matrix is the same. */
    @Test
    void linearRegressionHessianAndGaussNewtonAreTwoOverNXTransposeX() {
        int n = 25, p = 7;
        DMatrixRMaj x = gaussian(n, p, 58), expected = new DMatrixRMaj(p, p);
        CommonOps_DDRM.multTransA(x, x, expected);
        CommonOps_DDRM.scale(2.0 / n, expected);
        Tensor xt = tensor(x), y = Tensor.randn(new Rng(59), DType.F64, n);
        Weights m = new Weights(Tensor.randn(new Rng(60), DType.F64, p), 1);
        IntFunction<Tensor> pred = k -> xt.matmul(m.w().reshape(p, 1)).reshape(n);
        ParameterGroup all = ParameterGroup.select(m, "**", null);
        assertMatrixEquals(expected, Dense.matrixOf(CurvatureOperator.hessian(all, k -> pred.apply(k).mse(y), 1), 0), 1e-12);
        assertMatrixEquals(expected, Dense.matrixOf(CurvatureOperator.gaussNewton(all, pred, 1), 0), 1e-12);
    }

    /** Logistic regression, L = (1/N) Σ softplus(x_iᵀw) − y_i x_iᵀw: H = (1/N) Xᵀ diag(σ(1 − σ)) X. */
    @Test
    void logisticRegressionHessianIsTheWeightedGram() {
        int n = 30, p = 5;
        DMatrixRMaj x = gaussian(n, p, 61);
        Tensor xt = tensor(x), y = Tensor.of(new double[n], n).add(Tensor.randint(new Rng(62), 2, n).to(DType.F64));
        double[] w = Tensor.randn(new Rng(63), DType.F64, p).mul(0.7).toDoubleArray();
        DMatrixRMaj expected = new DMatrixRMaj(p, p);
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < p; j++) z += x.get(i, j) * w[j];
            double s = 1 / (1 + Math.exp(-z)), c = s * (1 - s) / n;
            for (int j = 0; j < p; j++) for (int l = 0; l < p; l++) expected.add(j, l, c * x.get(i, j) * x.get(i, l));
        }
        Weights m = new Weights(Tensor.of(w, p), 1);
        CurvatureOperator h = CurvatureOperator.hessian(ParameterGroup.select(m, "**", null), k -> {
            Tensor z = xt.matmul(m.w().reshape(p, 1)).reshape(n);
            return z.exp().add(1.0).log().sub(y.mul(z)).mean();
        }, 1);
        assertMatrixEquals(expected, Dense.matrixOf(h, 0), 1e-12);
    }

    /**
     * For a non-linear model f(x; w) = tanh(Xw)·c, the Gauss-Newton product is (2/N) Jᵀ(Jv) with J built row by row
     * from each output's gradient; the Hessian differs by the residual term, so the two are not the same.
     */
    @Test
    void gaussNewtonProductsMatchAnExplicitJacobian() {
        int n = 12, p = 6;
        Tensor xt = tensor(gaussian(n, p, 64)), y = Tensor.randn(new Rng(65), DType.F64, n);
        Weights m = new Weights(Tensor.randn(new Rng(66), DType.F64, p).mul(0.5), 1);
        IntFunction<Tensor> pred = k -> xt.matmul(m.w().reshape(p, 1)).reshape(n).tanh().mul(1.7);
        DMatrixRMaj jac = new DMatrixRMaj(n, p);
        for (int i = 0; i < n; i++) {
            double[] row = Autograd.grad(pred.apply(0).slice(0, i, i + 1).sum(), new Tensor[] {m.w()}, null, false)[0].toDoubleArray();
            for (int j = 0; j < p; j++) jac.set(i, j, row[j]);
        }
        DMatrixRMaj expected = new DMatrixRMaj(p, p);
        CommonOps_DDRM.multTransA(jac, jac, expected);
        CommonOps_DDRM.scale(2.0 / n, expected);
        ParameterGroup all = ParameterGroup.select(m, "**", null);
        assertMatrixEquals(expected, Dense.matrixOf(CurvatureOperator.gaussNewton(all, pred, 1), 0), 1e-12);
        DMatrixRMaj hessian = Dense.matrixOf(CurvatureOperator.hessian(all, k -> pred.apply(k).mse(y), 1), 0);
        assertTrue(Math.abs(hessian.get(0, 0) - expected.get(0, 0)) > 1e-3, "the residual term is not zero here");
    }

    /** Over K batches the operator is the mean of the K single-batch operators, each batch's graph rebuilt. */
    @Test
    void severalBatchesAverageTheirHessians() {
        int p = 4;
        Tensor[] xs = {tensor(gaussian(9, p, 67)), tensor(gaussian(9, p, 68)), tensor(gaussian(9, p, 69))};
        Weights m = new Weights(Tensor.randn(new Rng(70), DType.F64, p), 1);
        IntFunction<Tensor> loss = k -> xs[k].matmul(m.w().reshape(p, 1)).tanh().pow(2.0).mean();
        ParameterGroup all = ParameterGroup.select(m, "**", null);
        CurvatureOperator three = CurvatureOperator.hessian(all, loss, 3);
        double[][] v = {Tensor.randn(new Rng(71), DType.F64, p).toDoubleArray()};
        double[] mean = new double[p];
        for (int k = 0; k < 3; k++) {
            int batch = k;
            double[] one = CurvatureOperator.hessian(all, j -> loss.apply(batch), 1).apply(v)[0];
            for (int i = 0; i < p; i++) mean[i] += one[i] / 3;
        }
        double[] got = three.apply(v)[0];
        for (int i = 0; i < p; i++) assertEquals(mean[i], got[i], 1e-13);
        three.apply(v);
        assertEquals(2, three.products());
    }

    /** Ensemble members' losses are summed, but each member's product is its own Hessian's: E = 2 against two models alone. */
    @Test
    void ensembleMembersGetTheirOwnHessiansInOnePass() {
        int p = 5;
        Tensor x = tensor(gaussian(8, p, 72));
        double[] w0 = Tensor.randn(new Rng(73), DType.F64, p).toDoubleArray(), w1 = Tensor.randn(new Rng(74), DType.F64, p).toDoubleArray();
        double[] both = new double[2 * p];
        System.arraycopy(w0, 0, both, 0, p);
        System.arraycopy(w1, 0, both, p, p);
        Weights ens = new Weights(Tensor.of(both, 2, p), 2);
        CurvatureOperator h = CurvatureOperator.hessian(ParameterGroup.select(ens, "**", null),
                k -> x.matmul(ens.w().unsqueeze(-1)).tanh().pow(3.0).reshape(2, 8).mean(false, 1), 1); // (2, 8, p) x (2, p, 1) -> (2)
        double[][] v = {Tensor.randn(new Rng(75), DType.F64, p).toDoubleArray(), Tensor.randn(new Rng(76), DType.F64, p).toDoubleArray()};
        double[][] hv = h.apply(v);
        double[][] ws = {w0, w1};
        for (int e = 0; e < 2; e++) {
            Weights alone = new Weights(Tensor.of(ws[e], p), 1);
            double[] expected = CurvatureOperator.hessian(ParameterGroup.select(alone, "**", null),
                    k -> x.matmul(alone.w().reshape(p, 1)).tanh().pow(3.0).mean(), 1).apply(new double[][] {v[e]})[0];
            for (int i = 0; i < p; i++) assertEquals(expected[i], hv[e][i], 1e-13, "member " + e + " component " + i);
        }
        assertEquals(1, h.products());
    }

    @Test
    void aLossOfTheWrongShapeIsAClearError() {
        Weights m = new Weights(Tensor.randn(new Rng(77), DType.F64, 3), 1);
        CurvatureOperator h = CurvatureOperator.hessian(ParameterGroup.select(m, "**", null), k -> m.w().mul(m.w()), 1);
        var e = assertThrows(IllegalArgumentException.class, () -> h.apply(new double[][] {{1, 0, 0}}));
        assertTrue(e.getMessage().contains("3 values for 1 members"), e.getMessage());
    }
}
