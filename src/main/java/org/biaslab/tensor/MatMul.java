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

    /** Element offset (in units of whole matrices) of batch item i in operand o. */
    private static int flatOffset(Broadcast plan, int o, int i) {
        if (plan.dims.length == 0) return 0;
        int inner = plan.inner;
        return plan.rowOffset(o, i / inner) + (i % inner) * plan.innerStride(o);
    }
}
