package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class InPlaceTest {
    /** Enough elements for several parallel chunks, in 3 ensemble members. */
    private static final int[] BIG = {3, 257, 131};

    private static Tensor copy(Tensor t) {
        Tensor c = Tensor.zerosLike(t);
        InPlace.copy(c, t);
        return c;
    }

    /** Runs {@code update} on copies of {@code state} with the CPU kernels and with the reference, and compares. */
    private static void fastMatchesReference(Tensor[] state, Consumer<Tensor[]> update, double tol) {
        Tensor[] fast = new Tensor[state.length], ref = new Tensor[state.length];
        for (int i = 0; i < state.length; i++) {
            fast[i] = state[i] == null ? null : copy(state[i]);
            ref[i] = state[i] == null ? null : copy(state[i]);
        }
        update.accept(fast);
        Kernels.withReference(() -> {
            update.accept(ref);
            return null;
        });
        for (int i = 0; i < state.length; i++) {
            if (state[i] == null) continue;
            for (int j = 0; j < state[i].size(); j++) {
                double a = fast[i].get(j), b = ref[i].get(j);
                assertTrue(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), "tensor " + i + " element " + j + ": fast " + a + " vs reference " + b);
            }
        }
    }

    @Test
    void adamwFastMatchesReference() {
        Tensor p = GradCheck.randn(1, BIG), g = GradCheck.randn(2, BIG), m = GradCheck.randn(3, BIG).mul(0.1);
        Tensor v = GradCheck.randn(4, BIG).abs().mul(0.01);
        double[][] lrs = {{1e-2}, {1e-2, 3e-3, 0}};
        for (double[] lr : lrs) {
            for (double beta1 : new double[] {0.9, 0.3}) {
                fastMatchesReference(new Tensor[] {p, g, m, v}, s -> {
                    for (long t = 5; t < 8; t++) InPlace.adamw(s[0], s[1], s[2], s[3], lr, beta1, 0.999, 1e-8, 0.1, t);
                }, 1e-5);
            }
        }
    }

    @Test
    void sgdFastMatchesReference() {
        Tensor p = GradCheck.randn(1, BIG), g = GradCheck.randn(2, BIG), buf = GradCheck.randn(3, BIG);
        double[] lr = {0.1, 0.01, 0.2};
        fastMatchesReference(new Tensor[] {p, g, null}, s -> InPlace.sgd(s[0], s[1], null, lr, 0, 0, 0.01, false, false), 1e-6);
        for (boolean nesterov : new boolean[] {false, true}) {
            for (boolean first : new boolean[] {false, true}) {
                fastMatchesReference(new Tensor[] {p, g, buf},
                        s -> InPlace.sgd(s[0], s[1], s[2], lr, 0.9, nesterov ? 0 : 0.3, 0.01, nesterov, first), 1e-6);
            }
        }
    }

    @Test
    void scaleFastMatchesReference() {
        Tensor t = GradCheck.randn(1, BIG);
        fastMatchesReference(new Tensor[] {t}, s -> InPlace.scale(s[0], new double[] {0.5, -2, 1e-3}), 1e-6);
        fastMatchesReference(new Tensor[] {t}, s -> InPlace.scale(s[0], 0.3), 1e-6);
    }

    /** PyTorch's AdamW written out per element in double, the textbook way (bias-corrected moments). */
    private static double[] adamwByFormula(double[] p0, double[][] grads, double lr, double b1, double b2, double eps, double wd) {
        double[] p = p0.clone(), m = new double[p.length], v = new double[p.length];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double g = grads[t - 1][i];
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = v[i] / (1 - Math.pow(b2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        return p;
    }

    @Test
    void adamwFollowsPyTorchsFormulaForThreeSteps() {
        double[] p0 = {0.5, -1.25, 2.0, 0.0};
        double[][] grads = {{0.1, -0.3, 2.0, 1e-3}, {-0.2, -0.1, 1.5, 0.0}, {0.05, 0.4, -1.0, -2e-3}};
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
        double[] expected = adamwByFormula(p0, grads, lr, b1, b2, eps, wd);
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            Tensor p = Tensor.of(p0, 4).to(dtype), m = Tensor.zeros(dtype, p.shape()), v = Tensor.zeros(dtype, p.shape());
            for (int t = 1; t <= 3; t++) {
                InPlace.adamw(p, Tensor.of(grads[t - 1], 4).to(dtype), m, v, new double[] {lr}, b1, b2, eps, wd, t);
            }
            double tol = dtype == DType.F64 ? 1e-15 : 3e-7;
            for (int i = 0; i < 4; i++) assertEquals(expected[i], p.get(i), tol, dtype + " element " + i);
        }
    }

    @Test
    void firstAdamwStepWithoutDecayMovesByLrTimesSign() {
        double[] g = {3.0, -0.02, 1e-3, -50};
        double lr = 1e-3;
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            Tensor p = Tensor.zeros(dtype, Shape.of(4)), m = Tensor.zeros(dtype, p.shape()), v = Tensor.zeros(dtype, p.shape());
            InPlace.adamw(p, Tensor.of(g, 4).to(dtype), m, v, new double[] {lr}, 0.9, 0.999, 1e-8, 0, 1);
            for (int i = 0; i < 4; i++) {
                // m̂ = g and √v̂ = |g|, so the step is lr·g/(|g| + eps)
                double tol = lr * 1e-8 / Math.abs(g[i]) + (dtype == DType.F32 ? lr * 1e-6 : lr * 1e-14);
                assertEquals(-lr * Math.signum(g[i]), p.get(i), tol, dtype + " element " + i);
            }
        }
    }

    @Test
    void memberLearningRatesApplyAlongAxisZero() {
        Tensor p = Tensor.zeros(DType.F64, Shape.of(2, 3)), g = Tensor.full(DType.F64, Shape.of(2, 3), 1);
        InPlace.sgd(p, g, null, new double[] {0.5, 2}, 0, 0, 0, false, false);
        assertArrayEquals(new double[] {-0.5, -0.5, -0.5, -2, -2, -2}, p.toDoubleArray());
    }

    @Test
    void copyReplacesTheValues() {
        Tensor dst = Tensor.zeros(2, 2), src = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        InPlace.copy(dst, src);
        assertArrayEquals(src.toFloatArray(), dst.toFloatArray());
    }

    @Test
    void sharesStorageSeesReshapes() {
        Tensor a = Tensor.zeros(2, 3);
        assertTrue(InPlace.sharesStorage(a, a.reshape(6)));
        assertTrue(!InPlace.sharesStorage(a, Tensor.zeros(2, 3)));
    }

    @Test
    void badArgumentsAreRejectedWithTheirNames() {
        Tensor p = Tensor.zeros(2, 3), g = Tensor.zeros(2, 3), m = Tensor.zeros(2, 3), v = Tensor.zeros(2, 3);
        double[] lr = {1e-3};
        var e1 = assertThrows(ShapeException.class, () -> InPlace.adamw(p, Tensor.zeros(3, 2), m, v, lr, 0.9, 0.999, 1e-8, 0, 1));
        assertTrue(e1.getMessage().contains("grad has shape [3, 2]"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> InPlace.adamw(p, g, m, v, new double[] {1, 2, 3}, 0.9, 0.999, 1e-8, 0, 1));
        assertTrue(e2.getMessage().contains("3 values of lr"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InPlace.adamw(p, g, m, v, lr, 0.9, 0.999, 1e-8, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> InPlace.adamw(p, g, m, p.reshape(3, 2).reshape(2, 3), lr, 0.9, 0.999, 1e-8, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> InPlace.adamw(p, g.to(DType.F64), m, v, lr, 0.9, 0.999, 1e-8, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> InPlace.sgd(p, g, null, lr, 0.9, 0, 0, false, true));
        assertThrows(IllegalArgumentException.class, () -> InPlace.sgd(p, g, m, lr, 0, 0, 0, false, true));
        assertThrows(IllegalArgumentException.class, () -> InPlace.scale(Tensor.ofInts(new int[] {1}, 1), 2));
    }
}
