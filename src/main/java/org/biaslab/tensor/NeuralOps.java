package org.biaslab.tensor;

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
        Tensor out = Tensor.empty(x.dtype(), x.shape(), x.device());
        Tensor mean = Tensor.empty(x.dtype(), rows, x.device()), rstd = Tensor.empty(x.dtype(), rows, x.device());
        Kernels.of(x.device()).layerNorm(x, gamma, beta, eps, out, mean, rstd);
        return Autograd.record("layer_norm", out, g -> {
            if (GradMode.isEnabled()) return layerNormBackwardComposite(g, x, gamma, eps);
            Tensor dx = Tensor.empty(x.dtype(), x.shape(), x.device());
            Tensor dgamma = gamma == null ? null : Tensor.empty(x.dtype(), gamma.shape(), x.device());
            Tensor dbeta = gamma == null ? null : Tensor.empty(x.dtype(), gamma.shape(), x.device());
            Kernels.of(x.device()).layerNormBackward(g, x, gamma, mean, rstd, dx, dgamma, dbeta);
            return new Tensor[] {dx, dgamma, dbeta};
        }, x, gamma, beta);
    }

    private static void checkAffine(Tensor x, Tensor p, String name) {
        int d = x.shape().dim(-1);
        boolean plain = p.shape().equals(Shape.of(d));
        boolean perMember = p.shape().rank() == 2 && p.dim(1) == d && x.shape().rank() >= 2 && x.dim(0) == p.dim(0);
        if (!plain && !perMember) {
            throw new ShapeException("layer_norm: " + name + " " + p.shape() + " fits neither [" + d + "] nor [E, " + d + "] for input " + x.shape());
        }
    }

    /** γ or β shaped to broadcast against x: [D] as is, [E, D] as (E, 1, …, 1, D). */
    private static Tensor broadcastable(Tensor p, Tensor x) {
        if (p.shape().rank() == 1) return p;
        int[] dims = new int[x.shape().rank()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = p.dim(0);
        dims[dims.length - 1] = p.dim(1);
        return p.reshape(dims);
    }

    /** The layer-norm gradient built from differentiable ops, used when a backward pass is itself recorded. */
    private static Tensor[] layerNormBackwardComposite(Tensor g, Tensor x, Tensor gamma, double eps) {
        Tensor mu = x.mean(true, -1);
        Tensor rstd = x.var(true, 0, -1).add(eps).pow(-0.5);
        Tensor xhat = x.sub(mu).mul(rstd);
        Tensor gb = gamma == null ? null : broadcastable(gamma, x);
        Tensor dxhat = gb == null ? g : g.mul(gb);
        Tensor dx = dxhat.sub(dxhat.mean(true, -1)).sub(xhat.mul(dxhat.mul(xhat).mean(true, -1))).mul(rstd);
        if (gamma == null) return new Tensor[] {dx, null, null};
        int[] shape = gamma.shape().dims();
        return new Tensor[] {dx, g.mul(xhat).sumTo(gb.shape()).reshape(shape), g.sumTo(gb.shape()).reshape(shape)};
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
