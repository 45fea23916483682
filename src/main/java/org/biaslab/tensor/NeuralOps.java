package org.biaslab.tensor;

import java.util.Arrays;

/** Fused ops a transformer needs: softmax, log-softmax, layer norm, and the MSE and cross-entropy losses. */
final class NeuralOps {
    private NeuralOps() {}

    static Tensor softmax(Tensor a, int axisIn, boolean log) {
        int axis = a.shape().axis(axisIn);
        int last = a.shape().rank() - 1;
        if (axis != last) return softmax(a.transpose(axis, last), -1, log).transpose(axis, last);
        Tensor out = Tensor.empty(a.dtype(), a.shape(), a.device());
        Kernels.of(a.device()).softmax(a, out, log);
        if (log) {
            return Autograd.record("log_softmax", out,
                    g -> new Tensor[] {g.sub(out.exp().mul(g.sum(true, -1)))}, a);
        }
        return Autograd.record("softmax", out, g -> new Tensor[] {out.mul(g.sub(g.mul(out).sum(true, -1)))}, a);
    }

    /**
     * Layer norm over the last axis (biased variance, eps inside the square root, as PyTorch). γ and β are [D], or
     * [E, D] for an ensemble whose input carries the member axis first (member e's rows use row e of γ and β);
     * both may be null (no affine part).
     */
    static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        int d = x.shape().dim(-1);
        if ((gamma == null) != (beta == null)) throw new IllegalArgumentException("layer_norm: give both γ and β or neither");
        if (gamma != null) checkAffine(x, gamma, "γ");
        if (beta != null) checkAffine(x, beta, "β");
        Shape rows = x.shape().with(-1, 1);
        Tensor out = Tensor.uninitialised(x.dtype(), x.shape(), x.device());
        Tensor mean = Tensor.empty(x.dtype(), rows, x.device()), rstd = Tensor.empty(x.dtype(), rows, x.device());
        Kernels.of(x.device()).layerNorm(x, gamma, beta, eps, out, mean, rstd);
        return Autograd.record("layer_norm", out, g -> layerNormBackward(g, x, gamma, mean, rstd), x, gamma, beta);
    }

    /** {@link Tensor#addLayerNorm}: one kernel where the backend has it (s kept for a backward pass), else the ops. */
    static Tensor addLayerNorm(Tensor x, Tensor a, Tensor bias, Tensor gamma, Tensor beta, double eps) {
        Tensor rowBias = rowBias(bias, a);
        Backend kernels = Kernels.of(x.device());
        boolean fused = kernels.hasFusedRows() && gamma != null && beta != null && x.shape().equals(a.shape())
                && bias.shape().equals(gamma.shape()) && sameKind(x, a, bias, gamma, beta);
        if (!fused) return layerNorm(x.add(a.add(rowBias)), gamma, beta, eps);
        checkAffine(x, gamma, "γ");
        checkAffine(x, beta, "β");
        boolean recorded = GradMode.isEnabled() && (x.requiresGrad() || a.requiresGrad() || bias.requiresGrad()
                || gamma.requiresGrad() || beta.requiresGrad());
        Shape rows = x.shape().with(-1, 1);
        Tensor s = recorded ? Tensor.uninitialised(x.dtype(), x.shape(), x.device()) : null;
        Tensor out = Tensor.uninitialised(x.dtype(), x.shape(), x.device());
        Tensor mean = Tensor.empty(x.dtype(), rows, x.device()), rstd = Tensor.empty(x.dtype(), rows, x.device());
        kernels.addLayerNorm(x, a, bias, gamma, beta, eps, s, out, mean, rstd);
        if (!recorded) return out;
        Shape biasShape = bias.shape(), rowShape = rowBias.shape();
        Autograd.record("add", s, g -> new Tensor[] {g, g, g.sumTo(rowShape).reshape(biasShape.dims())}, x, a, bias);
        return Autograd.record("layer_norm", out, g -> layerNormBackward(g, s, gamma, mean, rstd), s, gamma, beta);
    }

    /** {@link Tensor#biasRelu}: one kernel where the backend has it, else the add and the relu. */
    static Tensor biasRelu(Tensor u, Tensor bias) {
        Tensor rowBias = rowBias(bias, u);
        Backend kernels = Kernels.of(u.device());
        if (!kernels.hasFusedRows() || !sameKind(u, bias)) return u.add(rowBias).relu();
        Tensor out = Tensor.uninitialised(u.dtype(), u.shape(), u.device());
        kernels.biasRelu(u, bias, out);
        Shape biasShape = bias.shape(), rowShape = rowBias.shape();
        return Autograd.record("bias_relu", out, g -> {
            Tensor gu = g.mul(out.gt(0.0)); // relu's gradient: u + bias > 0 exactly where the output is
            return new Tensor[] {gu, gu.sumTo(rowShape).reshape(biasShape.dims())};
        }, u, bias);
    }

    /** A bias of (D) as it is, or of (E, D) as (E, 1, …, 1, D) against a (E, …, D). */
    private static Tensor rowBias(Tensor bias, Tensor a) {
        int d = a.shape().dim(-1), r = a.shape().rank();
        if (bias.shape().equals(Shape.of(d))) return bias;
        if (bias.shape().rank() == 2 && bias.dim(1) == d && r >= 2 && a.dim(0) == bias.dim(0)) {
            int[] dims = new int[r];
            Arrays.fill(dims, 1);
            dims[0] = bias.dim(0);
            dims[r - 1] = d;
            return bias.reshape(dims);
        }
        throw new ShapeException("bias " + bias.shape() + " fits neither [" + d + "] nor [E, " + d + "] for input " + a.shape());
    }

    /** Whether the tensors share one device and dtype. */
    private static boolean sameKind(Tensor first, Tensor... rest) {
        for (Tensor t : rest) if (t.device() != first.device() || t.dtype() != first.dtype()) return false;
        return true;
    }

    private static void checkAffine(Tensor x, Tensor p, String name) {
        int d = x.shape().dim(-1);
        boolean plain = p.shape().equals(Shape.of(d));
        boolean perMember = p.shape().rank() == 2 && p.dim(1) == d && x.shape().rank() >= 2 && x.dim(0) == p.dim(0);
        if (!plain && !perMember) {
            throw new ShapeException("layer_norm: " + name + " " + p.shape() + " fits neither [" + d + "] nor [E, " + d + "] for input " + x.shape());
        }
    }

    /**
     * dx, dγ, dβ of layer norm from g = ∂L/∂y by the fused kernel. When the backward pass is recorded (second
     * derivatives), the three outputs are one node of the tape whose backward is {@link #layerNormDoubleBackward}.
     */
    private static Tensor[] layerNormBackward(Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd) {
        Tensor dx = Tensor.uninitialised(x.dtype(), x.shape(), x.device());
        Tensor dgamma = gamma == null ? null : Tensor.empty(x.dtype(), gamma.shape(), x.device());
        Tensor dbeta = gamma == null ? null : Tensor.empty(x.dtype(), gamma.shape(), x.device());
        Kernels.of(x.device()).layerNormBackward(g, x, gamma, mean, rstd, dx, dgamma, dbeta);
        Tensor[] out = {dx, dgamma, dbeta};
        Autograd.recordAll("layer_norm_backward", out, c -> layerNormDoubleBackward(c, g, x, gamma, mean, rstd), g, x, gamma);
        return out;
    }

    /**
     * The backward pass of {@link #layerNormBackward}, one fused kernel: with x̂ = (x − μ)·r, r = (σ² + ε)^(−1/2),
     * ĝ = γ ⊙ g and P = I − 11ᵀ/D − x̂x̂ᵀ/D per row of D features, that pass computes dx = r·P ĝ, dγ = Σ_rows g ⊙ x̂ and
     * dβ = Σ_rows g. Given the cotangents a (rows, D), c and b ([D] or [E, D]) of dx, dγ and dβ, and with
     * ∂x̂/∂x = r·P and ∂r/∂x = −r² x̂ / D:
     * <pre>
     *   ∂/∂g = r γ ⊙ P a + c ⊙ x̂ + b
     *   ∂/∂γ = Σ_rows r g ⊙ P a
     *   ∂/∂x = r·P u − (r² s / D) x̂,   u = c ⊙ g − r (m₂ a + m_a ĝ),   s = ⟨a, P ĝ⟩ = ⟨a, ĝ⟩ − D ā m₁ − D m_a m₂
     * </pre>
     * with the row means m₁ = mean(ĝ), m₂ = mean(ĝ ⊙ x̂), ā = mean(a), m_a = mean(a ⊙ x̂) (u is ∂/∂x̂ at fixed r, s is
     * ∂/∂r at fixed x̂). Missing cotangents count as zeros; third derivatives are not implemented.
     */
    private static Tensor[] layerNormDoubleBackward(Tensor[] cot, Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd) {
        if (GradMode.isEnabled()) throw new UnsupportedOperationException("layer_norm: third derivatives are not implemented");
        Tensor a = orZeros(cot[0], x);
        Tensor c = gamma == null ? null : orZeros(cot[1], gamma), b = gamma == null ? null : orZeros(cot[2], gamma);
        Tensor gg = Tensor.empty(x.dtype(), x.shape(), x.device()), gx = Tensor.empty(x.dtype(), x.shape(), x.device());
        Tensor ggamma = gamma == null ? null : Tensor.empty(x.dtype(), gamma.shape(), x.device());
        Kernels.of(x.device()).layerNormDoubleBackward(a, c, b, g, x, gamma, mean, rstd, gg, gx, ggamma);
        return new Tensor[] {gg, gx, ggamma};
    }

    /** The cotangent t, or zeros shaped like {@code like} where the tape delivered none. */
    static Tensor orZeros(Tensor t, Tensor like) {
        return t != null ? t : Tensor.zeros(like.dtype(), like.shape(), like.device());
    }

    /** Mean squared error over all elements of two tensors of one shape; a CPU target meets a GPU prediction there. */
    static Tensor mse(Tensor pred, Tensor targetIn) {
        Tensor target = targetIn.to(pred.device());
        Tensor.checkCompatible("mse", pred, target);
        if (!pred.shape().equals(target.shape())) {
            throw new ShapeException("mse: prediction " + pred.shape() + " and target " + target.shape() + " differ");
        }
        int n = pred.shape().size();
        double v = Kernels.of(pred.device()).squaredErrorSum(pred, target) / n;
        Tensor out = Tensor.scalar(pred.dtype(), v);
        return Autograd.record("mse", out, g -> {
            Tensor d = pred.sub(target).mul(g.mul(2.0 / n));
            return new Tensor[] {d, target.requiresGrad() ? d.neg() : null};
        }, pred, target);
    }

    /** Mean cross-entropy of logits (N, C) against int32 class indices (N). */
    static Tensor crossEntropy(Tensor logits, Tensor targetIn) {
        Tensor target = targetIn;
        if (logits.shape().rank() != 2) throw new ShapeException("cross_entropy: logits must be (N, C), got " + logits.shape());
        if (target.dtype() != DType.I32) throw new IllegalArgumentException("cross_entropy: targets must be I32, got " + target.dtype());
        int n = logits.shape().dim(0), c = logits.shape().dim(1);
        if (!target.shape().equals(Shape.of(n))) {
            throw new ShapeException("cross_entropy: targets " + target.shape() + " do not match logits " + logits.shape());
        }
        for (int t : target.toIntArray()) {
            if (t < 0 || t >= c) throw new IndexOutOfBoundsException("cross_entropy: class " + t + " out of range for " + c + " classes");
        }
        target = target.to(logits.device());
        Tensor logp = Tensor.empty(logits.dtype(), logits.shape(), logits.device());
        Backend k = Kernels.of(logits.device());
        k.softmax(logits, logp, true);
        Tensor out = Tensor.scalar(logits.dtype(), -k.pickSum(logp, target) / n);
        Tensor picked = target;
        return Autograd.record("cross_entropy", out, g -> {
            Tensor p = GradMode.isEnabled() ? logits.softmax(-1) : logp.exp();
            return new Tensor[] {p.sub(Tensor.oneHot(picked, c, logits.dtype())).mul(g.mul(1.0 / n)), null};
        }, logits, targetIn);
    }
}
