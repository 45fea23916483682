package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;

/** Test helpers: gradients against float64 central differences, and fast kernels against the reference ones. */
final class GradCheck {
    private GradCheck() {}

    /**
     * Checks the backward pass of {@code f} at float64 {@code inputs}: the gradient of Σ w ⊙ f(x) for fixed random
     * weights w against central differences with step h, to relative error {@code tol}.
     */
    static void check(Function<Tensor[], Tensor> f, double tol, Tensor... inputs) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = inputs[i].dtype().isFloating() ? inputs[i].to(DType.F64).detach().requiresGrad(true) : inputs[i];
        }
        Tensor y0 = f.apply(xs);
        Tensor w = Tensor.uniform(new Rng(99), DType.F64, 0.5, 1.5, y0.shape().dims());
        Tensor loss = y0.mul(w).sum();
        loss.backward();
        double h = 1e-6;
        for (int i = 0; i < xs.length; i++) {
            if (!xs[i].dtype().isFloating()) continue;
            double[] base = xs[i].toDoubleArray();
            Tensor grad = xs[i].grad();
            for (int j = 0; j < base.length; j++) {
                double numeric = (objective(f, xs, w, i, base, j, h) - objective(f, xs, w, i, base, j, -h)) / (2 * h);
                double analytic = grad == null ? 0 : grad.get(j);
                double err = Math.abs(numeric - analytic) / Math.max(1, Math.max(Math.abs(numeric), Math.abs(analytic)));
                assertTrue(err < tol, "input " + i + " element " + j + ": analytic " + analytic + " vs numeric " + numeric);
            }
        }
    }

    /**
     * Checks the Hessian-vector product of the scalar {@code loss} at float64 {@code theta} (double backward) against
     * central differences of gradients, (∇L(θ + hv) − ∇L(θ − hv)) / 2h, for a fixed random v, to relative {@code tol}.
     */
    static void checkHvp(Function<Tensor, Tensor> loss, Tensor theta, double tol) {
        Tensor x = theta.to(DType.F64).detach().requiresGrad(true);
        Tensor v = Tensor.randn(new Rng(98), DType.F64, x.shape().dims());
        Tensor g = Autograd.grad(loss.apply(x), new Tensor[] {x}, null, true)[0];
        double[] hv = Autograd.grad(g.mul(v).sum(), new Tensor[] {x}, null, false)[0].toDoubleArray();
        double h = 1e-5;
        double[] plus = gradientAt(loss, x.add(v.mul(h))), minus = gradientAt(loss, x.sub(v.mul(h)));
        for (int i = 0; i < hv.length; i++) {
            double numeric = (plus[i] - minus[i]) / (2 * h);
            assertEquals(numeric, hv[i], tol * Math.max(1, Math.abs(numeric)), "component " + i);
        }
    }

    private static double[] gradientAt(Function<Tensor, Tensor> loss, Tensor at) {
        Tensor x = at.detach().requiresGrad(true);
        return Autograd.grad(loss.apply(x), new Tensor[] {x}, null, false)[0].toDoubleArray();
    }

    static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(f, 1e-6, inputs);
    }

    private static double objective(Function<Tensor[], Tensor> f, Tensor[] xs, Tensor w, int i, double[] base, int j, double dh) {
        double[] moved = base.clone();
        moved[j] += dh;
        Tensor[] args = xs.clone();
        args[i] = Tensor.of(moved, xs[i].shape().dims());
        try (var off = GradMode.off()) {
            return f.apply(args).mul(w).sum().item();
        }
    }

    /** Runs {@code f} on float32 inputs with the CPU kernels and with the reference kernels and compares. */
    static void matchesReference(Function<Tensor[], Tensor> f, double tol, Tensor... inputs) {
        Tensor fast = f.apply(inputs);
        Tensor ref = Kernels.withReference(() -> f.apply(inputs));
        assertEquals(ref.shape(), fast.shape());
        for (int i = 0; i < fast.size(); i++) {
            double a = fast.get(i), b = ref.get(i);
            if (Double.isNaN(b)) {
                assertTrue(Double.isNaN(a), "element " + i + ": reference NaN, fast " + a);
                continue;
            }
            assertTrue(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), "element " + i + ": fast " + a + " vs reference " + b);
        }
    }

    static Tensor randn(long seed, int... dims) {
        return Tensor.randn(new Rng(seed), DType.F32, dims);
    }

    static Tensor randn64(long seed, int... dims) {
        return Tensor.randn(new Rng(seed), DType.F64, dims);
    }
}
