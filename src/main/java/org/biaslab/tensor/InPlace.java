package org.biaslab.tensor;

/**
 * Updates that write into existing tensors: the optimisers' parameter and state updates, gradient clipping and
 * state loading. They run outside autodiff; never use one on a tensor a live graph still needs.
 *
 * <p>Learning rates and scale factors are arrays holding one value for every element, or one value per index of
 * axis 0: an ensemble's parameters carry the member axis first, so member e is updated with {@code lr[e]}.
 */
public final class InPlace {
    private InPlace() {}

    /**
     * One AdamW step (decoupled weight decay) in PyTorch's single-tensor formulation, {@code step} counting from 1:
     * p ← p(1 − lr·wd); m ← m + (1 − β1)(g − m); v ← β2v + (1 − β2)g²; p ← p − lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + eps).
     * float32 tensors compute in float32 like PyTorch, float64 in double; m and v have p's shape and dtype.
     */
    public static void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double[] lr, double beta1, double beta2,
                             double eps, double weightDecay, long step) {
        checkAdamw(p, g, m, v, lr, step);
        Kernels.of(p.device()).adamw(p, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }

    private static void checkAdamw(Tensor p, Tensor g, Tensor m, Tensor v, double[] lr, long step) {
        checkLike("adamw", p, g, "grad");
        checkLike("adamw", p, m, "exp_avg");
        checkLike("adamw", p, v, "exp_avg_sq");
        checkPerMember("adamw", p, lr, "lr");
        if (step < 1) throw new IllegalArgumentException("adamw: step counts from 1, got " + step);
    }

    /**
     * {@link #adamw} for every (p, g, m, v) of {@code tensors} (all on one device, at the same step), with the same bits;
     * on the GPU in one launch for up to 48 tensors instead of one each.
     */
    public static void adamwAll(java.util.List<Tensor[]> tensors, double[] lr, double beta1, double beta2, double eps,
                                double weightDecay, long step) {
        if (tensors.isEmpty()) return;
        Device device = tensors.getFirst()[0].device();
        for (Tensor[] t : tensors) {
            if (t.length != 4) throw new IllegalArgumentException("adamw: expected (p, grad, exp_avg, exp_avg_sq), got " + t.length + " tensors");
            checkAdamw(t[0], t[1], t[2], t[3], lr, step);
            if (t[0].device() != device) throw new IllegalArgumentException("adamw: parameters on the " + device + " and the " + t[0].device());
        }
        Kernels.of(device).adamwAll(tensors, lr, beta1, beta2, eps, weightDecay, step);
    }

    /**
     * One SGD step as PyTorch: d = g + wd·p; with momentum, buf ← d on the first step and
     * buf ← momentum·buf + (1 − dampening)·d after it, then d = nesterov ? d + momentum·buf : buf; p ← p − lr·d.
     * {@code momentumBuffer} is null exactly when momentum is 0.
     */
    public static void sgd(Tensor p, Tensor g, Tensor momentumBuffer, double[] lr, double momentum, double dampening,
                           double weightDecay, boolean nesterov, boolean firstStep) {
        checkLike("sgd", p, g, "grad");
        if ((momentumBuffer == null) != (momentum == 0)) {
            throw new IllegalArgumentException("sgd: a momentum buffer is needed exactly when momentum ≠ 0 (momentum " + momentum + ")");
        }
        if (momentumBuffer != null) checkLike("sgd", p, momentumBuffer, "momentum_buffer");
        checkPerMember("sgd", p, lr, "lr");
        Kernels.of(p.device()).sgd(p, g, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov, firstStep);
    }

    /** t ← c·t. */
    public static void scale(Tensor t, double c) {
        scale(t, new double[] {c});
    }

    /** t ← c[e]·t[e] for each index e of axis 0 (or c[0]·t when c has one value). */
    public static void scale(Tensor t, double[] c) {
        if (!t.dtype().isFloating()) throw new IllegalArgumentException("scale: needs a floating tensor, got " + t.dtype());
        checkPerMember("scale", t, c, "factor");
        Kernels.of(t.device()).scale(t, c);
    }

    /** dst ← src, for tensors of the same shape and dtype (loading optimiser state); src may be on another device. */
    public static void copy(Tensor dst, Tensor src) {
        if (src != null) src = src.to(dst.device());
        checkLike("copy", dst, src, "source");
        Kernels.of(dst.device()).convert(src, dst);
    }

    /**
     * Whether two tensors are views of the same elements (a reshape shares storage). Gradients of different leaves
     * can: the backward of {@code a.add(b)} hands one tensor to both, so scale such gradients once.
     */
    public static boolean sharesStorage(Tensor a, Tensor b) {
        return a.storage == b.storage;
    }

    private static void checkLike(String op, Tensor p, Tensor t, String what) {
        if (t == null) throw new IllegalArgumentException(op + ": " + what + " is null");
        if (!t.shape().equals(p.shape())) {
            throw new ShapeException(op + ": " + what + " has shape " + t.shape() + " but the tensor has " + p.shape());
        }
        Tensor.checkCompatible(op + " (" + what + ")", p, t);
        if (sharesStorage(p, t)) throw new IllegalArgumentException(op + ": " + what + " shares storage with the tensor it updates");
    }

    private static void checkPerMember(String op, Tensor t, double[] values, String what) {
        boolean ok = values.length == 1 || (t.shape().rank() > 0 && values.length == t.dim(0));
        if (!ok) {
            throw new IllegalArgumentException(op + ": " + values.length + " values of " + what
                    + " for shape " + t.shape() + "; give one, or one per index of axis 0");
        }
    }
}
