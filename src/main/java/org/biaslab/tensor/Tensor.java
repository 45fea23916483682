package org.biaslab.tensor;

import java.util.Arrays;
import org.biaslab.tensor.cuda.Cuda;

/**
 * An n-dimensional array with a shape, a dtype and a device, and reverse-mode autodiff: leaves created with
 * {@link #requiresGrad(boolean)} collect gradients in {@link #grad()} after {@link #backward()}. Tensors are
 * always contiguous in row-major order; ops return new tensors and never modify their inputs.
 */
public final class Tensor {
    private final Shape shape;
    private final DType dtype;
    private final Device device;
    final Storage storage;
    private boolean requiresGrad;
    Tensor grad;
    Node gradFn;

    Tensor(Shape shape, DType dtype, Device device, Storage storage) {
        this.shape = shape;
        this.dtype = dtype;
        this.device = device;
        this.storage = storage;
    }

    // ---- creation ----

    static Tensor empty(DType dtype, Shape shape) {
        return new Tensor(shape, dtype, Device.CPU, Storage.allocate(dtype, shape.size()));
    }

    /** Uninitialised on the GPU (every kernel writes its whole output), zeros on the CPU. */
    static Tensor empty(DType dtype, Shape shape, Device device) {
        if (device == Device.CPU) return empty(dtype, shape);
        return new Tensor(shape, dtype, device, Storage.allocateCuda(dtype, shape.size()));
    }

    /**
     * Arbitrary contents on either device (on the CPU possibly a recycled array, {@link ArrayPool}): for the output
     * of an op whose kernels, the CPU's and the reference's, write every element.
     */
    static Tensor uninitialised(DType dtype, Shape shape, Device device) {
        if (device != Device.CPU) return empty(dtype, shape, device);
        return new Tensor(shape, dtype, device, Storage.allocateUninitialised(dtype, shape.size()));
    }

    /** Zeros of the given dtype and shape. */
    public static Tensor zeros(DType dtype, Shape shape) {
        return empty(dtype, shape);
    }

    /** Zeros of the given dtype and shape on {@code device}. */
    public static Tensor zeros(DType dtype, Shape shape, Device device) {
        Tensor t = empty(dtype, shape, device);
        if (device == Device.CUDA) Cuda.zero(t.storage.address, (long) t.size() * dtype.bytes);
        return t;
    }

    /** float32 zeros. */
    public static Tensor zeros(int... dims) {
        return empty(DType.F32, Shape.of(dims));
    }

    /** A tensor of one value. */
    public static Tensor full(DType dtype, Shape shape, double value) {
        Tensor t = empty(dtype, shape);
        switch (dtype) {
            case F32 -> Arrays.fill(t.storage.f32, (float) value);
            case F64 -> Arrays.fill(t.storage.f64, value);
            case I32 -> Arrays.fill(t.storage.i32, (int) value);
        }
        return t;
    }

    public static Tensor onesLike(Tensor t) {
        Tensor ones = full(t.dtype, t.shape, 1);
        return t.device == Device.CPU ? ones : ones.to(t.device);
    }

    /** Zeros with t's dtype, shape and device. */
    public static Tensor zerosLike(Tensor t) {
        return zeros(t.dtype, t.shape, t.device);
    }

    /** A rank-0 tensor. */
    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, Shape.SCALAR, value);
    }

    /** float32 tensor over a copy of {@code data}. */
    public static Tensor of(float[] data, int... dims) {
        return new Tensor(checked(data.length, dims), DType.F32, Device.CPU, Storage.wrap(data.clone()));
    }

    /** float64 tensor over a copy of {@code data}. */
    public static Tensor of(double[] data, int... dims) {
        return new Tensor(checked(data.length, dims), DType.F64, Device.CPU, Storage.wrap(data.clone()));
    }

    /** int32 tensor (indices, labels) over a copy of {@code data}. */
    public static Tensor ofInts(int[] data, int... dims) {
        return new Tensor(checked(data.length, dims), DType.I32, Device.CPU, Storage.wrap(data.clone()));
    }

    private static Shape checked(int length, int[] dims) {
        Shape s = Shape.of(dims);
        if (s.size() != length) throw new ShapeException("tensor: " + length + " values do not fill shape " + s);
        return s;
    }

    /** Standard normal entries from {@code rng}. */
    public static Tensor randn(Rng rng, DType dtype, int... dims) {
        Tensor t = empty(dtype, Shape.of(dims));
        for (int i = 0; i < t.shape.size(); i++) t.set(i, rng.normal());
        return t;
    }

    /** Uniform entries in [lo, hi) from {@code rng}. */
    public static Tensor uniform(Rng rng, DType dtype, double lo, double hi, int... dims) {
        Tensor t = empty(dtype, Shape.of(dims));
        for (int i = 0; i < t.shape.size(); i++) t.set(i, lo + (hi - lo) * rng.uniform());
        return t;
    }

    /** Uniform int32 entries in [0, bound) from {@code rng}. */
    public static Tensor randint(Rng rng, int bound, int... dims) {
        Tensor t = empty(DType.I32, Shape.of(dims));
        for (int i = 0; i < t.shape.size(); i++) t.storage.i32[i] = rng.nextInt(bound);
        return t;
    }

    /** One-hot rows (N, classes) of int32 class indices (N). */
    public static Tensor oneHot(Tensor index, int classes, DType dtype) {
        int[] idx = index.toIntArray();
        Tensor t = empty(dtype, Shape.of(idx.length, classes));
        for (int i = 0; i < idx.length; i++) t.set(i * classes + idx[i], 1);
        return t;
    }

    // ---- properties and data ----

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return device;
    }

    /** Size of dimension {@code i} (negative counts from the end). */
    public int dim(int i) {
        return shape.dim(i);
    }

    /** Number of elements. */
    public int size() {
        return shape.size();
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (shape.size() != 1) throw new ShapeException("item: tensor of shape " + shape + " has " + shape.size() + " elements");
        return get(0);
    }

    /** Element {@code i} in row-major order, as a double (one copy from the GPU for a device tensor). */
    public double get(int i) {
        if (device == Device.CUDA) return CudaTransfer.element(this, i);
        return switch (dtype) {
            case F32 -> storage.f32[i];
            case F64 -> storage.f64[i];
            case I32 -> storage.i32[i];
        };
    }

    void set(int i, double v) {
        if (device != Device.CPU) throw new IllegalStateException("set: element writes are for CPU tensors");
        switch (dtype) {
            case F32 -> storage.f32[i] = (float) v;
            case F64 -> storage.f64[i] = v;
            case I32 -> storage.i32[i] = (int) v;
        }
    }

    public float[] toFloatArray() {
        if (device != Device.CPU) return to(Device.CPU).toFloatArray();
        if (dtype == DType.F32) return storage.f32.clone();
        float[] r = new float[size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) get(i);
        return r;
    }

    /**
     * Σ x² over each of {@code groups} equal consecutive blocks, accumulated in double where the tensor lives: a
     * parameter's squared norm per ensemble member, without a copy to the host.
     */
    public double[] squaredSums(int groups) {
        if (groups <= 0 || size() % groups != 0) throw new IllegalArgumentException("squaredSums: " + shape + " does not split into " + groups + " equal groups");
        return Kernels.of(device).squaredSums(this, groups);
    }

    public double[] toDoubleArray() {
        if (device != Device.CPU) return to(Device.CPU).toDoubleArray();
        if (dtype == DType.F64) return storage.f64.clone();
        double[] r = new double[size()];
        for (int i = 0; i < r.length; i++) r[i] = get(i);
        return r;
    }

    public int[] toIntArray() {
        if (device != Device.CPU) return to(Device.CPU).toIntArray();
        if (dtype == DType.I32) return storage.i32.clone();
        int[] r = new int[size()];
        for (int i = 0; i < r.length; i++) r[i] = (int) get(i);
        return r;
    }

    /** A copy converted to {@code target}; differentiable between floating types. */
    public Tensor to(DType target) {
        if (target == dtype) return this;
        Tensor out = empty(target, shape, device);
        Kernels.of(device).convert(this, out);
        if (!target.isFloating() || !dtype.isFloating()) return out;
        return Autograd.record("to", out, g -> new Tensor[] {g.to(dtype)}, this);
    }

    /**
     * A copy on {@code target} (this tensor when it is already there); differentiable, the gradient going back to
     * this tensor's device. Host↔device copies are the edges of a GPU computation: data in, metrics out.
     */
    public Tensor to(Device target) {
        if (target == device) return this;
        Tensor out = target == Device.CUDA ? CudaTransfer.toCuda(this) : CudaTransfer.toCpu(this);
        if (!dtype.isFloating()) return out;
        Device from = device;
        return Autograd.record("to_" + target.name().toLowerCase(), out, g -> new Tensor[] {g.to(from)}, this);
    }

    /** A tensor sharing this one's storage with another shape of the same size, outside the tape. */
    Tensor viewAs(Shape s) {
        return new Tensor(s, dtype, device, storage);
    }

    /** Throws naming the op when two tensors differ in dtype or device. */
    static void checkCompatible(String op, Tensor a, Tensor b) {
        if (a.dtype != b.dtype) {
            throw new IllegalArgumentException(op + ": dtype mismatch: " + a.dtype + " " + a.shape + " vs " + b.dtype + " " + b.shape);
        }
        if (a.device != b.device) {
            throw new IllegalArgumentException(op + ": device mismatch: " + a.device + " vs " + b.device);
        }
    }

    // ---- autodiff ----

    /** Whether gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad || gradFn != null;
    }

    /** Marks a leaf as a parameter whose gradient {@link #backward()} accumulates. Returns this. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null) throw new IllegalStateException("requiresGrad: only leaf tensors can be marked, this one is the output of '" + gradFn.op + "'");
        if (on && !dtype.isFloating()) throw new IllegalArgumentException("requiresGrad: " + dtype + " tensors have no gradient");
        requiresGrad = on;
        return this;
    }

    /** The accumulated gradient of a leaf, or null. */
    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    /** Backpropagates from this scalar into every leaf that requires a gradient. */
    public void backward() {
        Autograd.backward(this);
    }

    /** The same values, cut from the tape (sharing storage). */
    public Tensor detach() {
        return viewAs(shape);
    }

    /** The same values in new storage, cut from the tape. */
    public Tensor copy() {
        Tensor out = empty(dtype, shape, device);
        Kernels.of(device).convert(this, out);
        return out;
    }

    // ---- elementwise ----

    public Tensor add(Tensor b) { return Elementwise.binary(BinaryOp.ADD, this, b); }
    public Tensor sub(Tensor b) { return Elementwise.binary(BinaryOp.SUB, this, b); }
    public Tensor mul(Tensor b) { return Elementwise.binary(BinaryOp.MUL, this, b); }
    public Tensor div(Tensor b) { return Elementwise.binary(BinaryOp.DIV, this, b); }
    public Tensor pow(Tensor b) { return Elementwise.binary(BinaryOp.POW, this, b); }
    public Tensor maximum(Tensor b) { return Elementwise.binary(BinaryOp.MAXIMUM, this, b); }
    public Tensor minimum(Tensor b) { return Elementwise.binary(BinaryOp.MINIMUM, this, b); }
    public Tensor eq(Tensor b) { return Elementwise.binary(BinaryOp.EQ, this, b); }
    public Tensor gt(Tensor b) { return Elementwise.binary(BinaryOp.GT, this, b); }
    public Tensor ge(Tensor b) { return Elementwise.binary(BinaryOp.GE, this, b); }
    public Tensor lt(Tensor b) { return Elementwise.binary(BinaryOp.LT, this, b); }
    public Tensor le(Tensor b) { return Elementwise.binary(BinaryOp.LE, this, b); }

    public Tensor add(double b) { return add(scalar(dtype, b)); }
    public Tensor sub(double b) { return sub(scalar(dtype, b)); }
    public Tensor mul(double b) { return mul(scalar(dtype, b)); }
    public Tensor div(double b) { return div(scalar(dtype, b)); }
    public Tensor gt(double b) { return gt(scalar(dtype, b)); }
    public Tensor lt(double b) { return lt(scalar(dtype, b)); }

    public Tensor neg() { return Elementwise.unary(UnaryOp.NEG, this, 0); }
    public Tensor exp() { return Elementwise.unary(UnaryOp.EXP, this, 0); }
    public Tensor log() { return Elementwise.unary(UnaryOp.LOG, this, 0); }
    public Tensor sqrt() { return Elementwise.unary(UnaryOp.SQRT, this, 0); }
    public Tensor abs() { return Elementwise.unary(UnaryOp.ABS, this, 0); }
    public Tensor sign() { return Elementwise.unary(UnaryOp.SIGN, this, 0); }
    public Tensor erf() { return Elementwise.unary(UnaryOp.ERF, this, 0); }
    public Tensor pow(double p) { return Elementwise.unary(UnaryOp.POW, this, p); }
    public Tensor tanh() { return Elementwise.unary(UnaryOp.TANH, this, 0); }
    public Tensor sigmoid() { return Elementwise.unary(UnaryOp.SIGMOID, this, 0); }
    public Tensor relu() { return Elementwise.unary(UnaryOp.RELU, this, 0); }
    /** GELU with the exact normal CDF (PyTorch's default). */
    public Tensor gelu() { return Elementwise.unary(UnaryOp.GELU, this, 0); }
    /** GELU with the tanh approximation (PyTorch's approximate='tanh', GPT-2's gelu_new). */
    public Tensor geluTanh() { return Elementwise.unary(UnaryOp.GELU_TANH, this, 0); }

    /** cond ≠ 0 ? a : b, broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Elementwise.where(cond, a, b); }

    /** This tensor with {@code value} wherever {@code mask} ≠ 0 (e.g. −∞ on masked attention scores). */
    public Tensor maskedFill(Tensor mask, double value) { return Elementwise.where(mask, scalar(dtype, value), this); }

    /** This tensor broadcast to {@code dims}, materialised. */
    public Tensor expand(int... dims) { return Elementwise.expand(this, Shape.of(dims)); }

    // ---- reductions ----

    /** Sum over {@code axes} (all axes when none are given). */
    public Tensor sum(boolean keepdim, int... axes) { return Reductions.sum(this, keepdim, axes); }
    /** Sum of all elements, as a scalar tensor. */
    public Tensor sum() { return Reductions.sum(this, false); }
    public Tensor mean(boolean keepdim, int... axes) { return Reductions.mean(this, keepdim, axes); }
    public Tensor mean() { return Reductions.mean(this, false); }
    public Tensor max(int axis, boolean keepdim) { return Reductions.max(this, axis, keepdim); }
    /** Variance over axes; {@code correction} 0 is the biased (population) variance, 1 is Bessel's. */
    public Tensor var(boolean keepdim, int correction, int... axes) { return Reductions.var(this, keepdim, correction, axes); }
    /** Sums this (broadcast) tensor down to {@code target}, the adjoint of broadcasting. */
    public Tensor sumTo(Shape target) { return Reductions.sumTo(this, target); }

    // ---- shape ----

    /** Same elements, new shape; one dimension may be −1. Shares storage. */
    public Tensor reshape(int... dims) { return Reshaping.reshape(this, dims); }
    public Tensor permute(int... perm) { return Reshaping.permute(this, perm); }
    public Tensor transpose(int i, int j) { return Reshaping.transpose(this, i, j); }
    /** Elements [start, end) along {@code axis}. */
    public Tensor slice(int axis, int start, int end) { return Reshaping.slice(this, axis, start, end); }
    public Tensor unsqueeze(int axis) { return Reshaping.unsqueeze(this, axis); }
    public static Tensor concat(int axis, Tensor... ts) { return Reshaping.concat(axis, ts); }
    public static Tensor stack(int axis, Tensor... ts) { return Reshaping.stack(axis, ts); }
    /**
     * Rows of this 2-D table at int32 {@code index}: shape index.shape + [D]. A 3-D table (G, V, D) holds G tables (an
     * ensemble's): index (G, …) reads its own group's, shape (G, …, D).
     */
    public Tensor embedding(Tensor index) { return Reshaping.embedding(this, index); }

    /**
     * {@code embedding(index)} plus the rows of {@code addend} (P, D), or (G, P, D) for a 3-D table, by the position
     * along index's last axis (of P): {@code embedding(index).add(addend)} broadcast over the other index axes, in one
     * pass where the device has it. P1's first layer: the projected token table at the bits plus the projected positions.
     */
    public Tensor embeddingAdd(Tensor index, Tensor addend) { return Reshaping.embeddingAdd(this, index, addend); }

    // ---- linear algebra and neural-network ops ----

    /** Matrix product over the last two axes, broadcasting leading axes. */
    public Tensor matmul(Tensor b) { return MatMul.matmul(this, b); }
    /** this @ bᵀ (last two axes of b swapped) without materialising the transpose. */
    public Tensor matmulT(Tensor b) { return MatMul.apply(this, false, b, true); }
    /**
     * this Wᵀ + bias in one op: this (m, k), W (n, k), bias (n); or per ensemble member, this (E, m, k), W (E, n, k),
     * bias (E, n). The bits of {@code matmulT(w).add(bias)}.
     */
    public Tensor linear(Tensor w, Tensor bias) { return MatMul.linear(this, w, bias); }
    /**
     * The reduced QR decomposition of these (…, m, n) matrices, m ≥ n, with diag R ≥ 0; differentiable (once) in both
     * outputs. Computed on the host in float64 and copied back to this tensor's dtype and device: for small matrices.
     */
    public Qr qr() { return Linalg.qr(this); }
    public Tensor softmax(int axis) { return NeuralOps.softmax(this, axis, false); }
    public Tensor logSoftmax(int axis) { return NeuralOps.softmax(this, axis, true); }
    /** Layer norm over the last axis; γ, β may be null (no affine part). */
    public Tensor layerNorm(Tensor gamma, Tensor beta, double eps) { return NeuralOps.layerNorm(this, gamma, beta, eps); }

    /**
     * {@code residual.add(a.add(bias)).layerNorm(gamma, beta, eps)} (a Post-LN block's residual sum with a linear map's
     * bias) in one pass where the device has it, with the same values and gradients. bias, γ and β are (D), or (E, D)
     * for an ensemble whose inputs carry the member axis first.
     */
    public static Tensor addLayerNorm(Tensor residual, Tensor a, Tensor bias, Tensor gamma, Tensor beta, double eps) {
        return NeuralOps.addLayerNorm(residual, a, bias, gamma, beta, eps);
    }

    /** {@code add(bias).relu()} in one pass where the device has it; bias (D), or (E, D) per ensemble member. */
    public Tensor biasRelu(Tensor bias) { return NeuralOps.biasRelu(this, bias); }
    /**
     * Multi-head attention softmax(scale·q kᵀ) v as one op: q (…, T, H·dh), k and v (…, S, H·dh) -> (…, T, H·dh),
     * head h in columns h·dh … (h+1)·dh − 1; {@code causal} hides keys j > i + S − T from query i. Check
     * {@link #fitsFusedAttention} first: beyond what the device takes, compose attention from matmul and softmax.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, int heads, double scale, boolean causal) {
        return FusedAttention.apply(q, k, v, heads, scale, causal);
    }
    /**
     * Whether {@link #attention} takes these tensors: one dtype and device, the same leading axes (no broadcasting),
     * and sizes the device runs (on a GPU one head's q, k, v and probabilities must fit in shared memory).
     */
    public static boolean fitsFusedAttention(Tensor q, Tensor k, Tensor v, int heads) { return FusedAttention.fits(q, k, v, heads); }
    /** (…, T, H·dh) -> (…, H, T, dh): the heads of a projection on their own axis. */
    public Tensor splitHeads(int heads) { return FusedAttention.split(this, heads); }
    /** (…, H, T, dh) -> (…, T, H·dh), the inverse of {@link #splitHeads}. */
    public Tensor mergeHeads() { return FusedAttention.merge(this); }
    /** The causal mask (T, S): 1 where query i may not see key j > i + S − T. */
    public static Tensor causalMask(int t, int s, DType dtype) { return FusedAttention.causalMask(t, s, dtype); }
    /** Mean squared error against {@code target} (same shape). */
    public Tensor mse(Tensor target) { return NeuralOps.mse(this, target); }
    /** Mean cross-entropy of these (N, C) logits against int32 classes (N). */
    public Tensor crossEntropy(Tensor target) { return NeuralOps.crossEntropy(this, target); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(' ').append(shape);
        int n = Math.min(size(), 8);
        sb.append(" [");
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(get(i));
        if (size() > n) sb.append(", …");
        return sb.append("])").toString();
    }
}
