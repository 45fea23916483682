package org.biaslab.tensor;

/**
 * Matrix products over the last two axes with NumPy-broadcast leading (batch) axes. Transposed operands are read
 * in place by the kernels, so the backward pass never copies a transpose.
 */
final class MatMul {
    private MatMul() {}

    static Tensor matmul(Tensor a, Tensor b) {
        return apply(a, false, b, false);
    }

    /** op(a) @ op(b), where op transposes the last two axes when its flag is set. */
    static Tensor apply(Tensor a, boolean ta, Tensor b, boolean tb) {
        Tensor.checkCompatible("matmul", a, b);
        Shape sa = a.shape(), sb = b.shape();
        if (sa.rank() < 2 || sb.rank() < 2) {
            throw new ShapeException("matmul: needs operands of rank >= 2, got " + sa + " and " + sb);
        }
        int m = sa.dim(ta ? -1 : -2), k = sa.dim(ta ? -2 : -1);
        int kb = sb.dim(tb ? -1 : -2), n = sb.dim(tb ? -2 : -1);
        if (k != kb) {
            throw new ShapeException("matmul: inner dimensions differ: " + sa + (ta ? "ᵀ" : "") + " @ " + sb + (tb ? "ᵀ" : ""));
        }
        if (sb.rank() == 2 && sa.rank() > 2 && !ta) {
            // (..., m, k) @ (k, n): fold the leading axes into the rows for one large GEMM
            int[] outDims = sa.dims();
            outDims[outDims.length - 1] = n;
            return apply(a.reshape(-1, k), false, b, tb).reshape(outDims);
        }
        Shape batchA = Shape.of(java.util.Arrays.copyOf(sa.dims(), sa.rank() - 2));
        Shape batchB = Shape.of(java.util.Arrays.copyOf(sb.dims(), sb.rank() - 2));
        Shape batch = Shape.broadcast("matmul", batchA, batchB);
        int[] outDims = java.util.Arrays.copyOf(batch.dims(), batch.rank() + 2);
        outDims[batch.rank()] = m;
        outDims[batch.rank() + 1] = n;
        Tensor out = Tensor.uninitialised(a.dtype(), Shape.of(outDims), a.device());
        int count = batch.size();
        int[] offA = new int[count], offB = new int[count];
        Broadcast plan = Broadcast.of(batch, batchA, batchB);
        for (int i = 0; i < count; i++) {
            offA[i] = flatOffset(plan, 0, i) * m * k;
            offB[i] = flatOffset(plan, 1, i) * k * n;
        }
        Kernels.of(a.device()).matmul(a, offA, ta, b, offB, tb, out, m, n, k);
        return Autograd.record("matmul", out, g -> new Tensor[] {
                a.requiresGrad() ? (ta ? apply(b, tb, g, true) : apply(g, false, b, !tb)).sumTo(sa) : null,
                b.requiresGrad() ? (tb ? apply(g, true, a, ta) : apply(a, !ta, g, false)).sumTo(sb) : null}, a, b);
    }

    /**
     * a Wᵀ + bias: a (m, k) with W (n, k) and bias (n), or a (E, m, k) with W (E, n, k) and bias (E, n). The same
     * values, bits and gradients as {@code apply(a, false, w, true).add(bias)} (bias as (E, 1, n)), which runs on
     * other devices and backends; the CPU's GEMM adds the bias to each block of rows while it is in cache, so the
     * product needs no tensor of its own and no second pass over it.
     */
    static Tensor linear(Tensor a, Tensor w, Tensor bias) {
        int r = a.shape().rank(), n = w.dim(-2), k = a.dim(-1);
        boolean ensemble = r == 3;
        boolean fits = ensemble
                ? w.shape().equals(Shape.of(a.dim(0), n, k)) && bias.shape().equals(Shape.of(a.dim(0), n))
                : r == 2 && w.shape().equals(Shape.of(n, k)) && bias.shape().equals(Shape.of(n));
        if (!fits || a.device() != Device.CPU || Kernels.of(Device.CPU) != CpuBackend.INSTANCE
                || a.dtype() != DType.F32 || w.dtype() != DType.F32 || bias.dtype() != DType.F32) {
            return apply(a, false, w, true).add(bias.shape().rank() == 2 ? bias.reshape(bias.dim(0), 1, n) : bias);
        }
        Shape rowBias = ensemble ? Shape.of(a.dim(0), 1, n) : Shape.of(n);
        int batch = ensemble ? a.dim(0) : 1, m = a.dim(-2);
        Tensor out = Tensor.uninitialised(DType.F32, ensemble ? Shape.of(batch, m, n) : Shape.of(m, n), Device.CPU);
        int[] offA = new int[batch], offW = new int[batch], offBias = new int[batch];
        for (int i = 0; i < batch; i++) {
            offA[i] = i * m * k;
            offW[i] = i * n * k;
            offBias[i] = i * n;
        }
        CpuGemm.gemm(a.storage.f32, offA, false, w.storage.f32, offW, true, bias.storage.f32, offBias, out.storage.f32, m, n, k);
        Shape biasShape = bias.shape();
        return Autograd.record("linear", out, g -> new Tensor[] {
                a.requiresGrad() ? apply(g, false, w, false) : null,
                w.requiresGrad() ? apply(g, true, a, false) : null,
                bias.requiresGrad() ? g.sumTo(rowBias).reshape(biasShape.dims()) : null}, a, w, bias);
    }

    /** Element offset (in units of whole matrices) of batch item i in operand o. */
    private static int flatOffset(Broadcast plan, int o, int i) {
        if (plan.dims.length == 0) return 0;
        int inner = plan.inner;
        return plan.rowOffset(o, i / inner) + (i % inner) * plan.innerStride(o);
    }
}
