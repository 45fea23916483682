package org.biaslab.tensor;

import java.util.Arrays;

/** Sums, means, maxima and variances over axes, and the reduction of a broadcast gradient to its source shape. */
final class Reductions {
    private Reductions() {}

    /** Sorted, distinct, non-negative axes; all axes when none are given. */
    static int[] axes(Shape s, int[] axes) {
        if (axes.length == 0) {
            int[] all = new int[s.rank()];
            for (int i = 0; i < all.length; i++) all[i] = i;
            return all;
        }
        int[] r = new int[axes.length];
        for (int i = 0; i < axes.length; i++) r[i] = s.axis(axes[i]);
        Arrays.sort(r);
        for (int i = 1; i < r.length; i++) {
            if (r[i] == r[i - 1]) throw new IllegalArgumentException("axis " + r[i] + " given twice for shape " + s);
        }
        return r;
    }

    static Shape keptShape(Shape s, int[] axes) {
        int[] d = s.dims();
        for (int a : axes) d[a] = 1;
        return Shape.of(d);
    }

    static Shape droppedShape(Shape s, int[] axes) {
        int[] d = new int[s.rank() - axes.length];
        int j = 0;
        for (int i = 0; i < s.rank(); i++) if (Arrays.binarySearch(axes, i) < 0) d[j++] = s.dim(i);
        return Shape.of(d);
    }

    private static Tensor reduceKeep(ReduceOp op, Tensor a, int[] axes) {
        Tensor t = a;
        Backend k = Kernels.of(a.device());
        for (int ax : axes) {
            if (t.shape().dim(ax) == 1) continue;
            Tensor out = Tensor.empty(a.dtype(), t.shape().with(ax, 1), a.device());
            k.reduce(op, t, ax, out);
            t = out;
        }
        return t == a ? copyOf(a) : t;
    }

    private static Tensor copyOf(Tensor a) {
        Tensor out = Tensor.empty(a.dtype(), a.shape(), a.device());
        Kernels.of(a.device()).convert(a, out);
        return out;
    }

    static Tensor sum(Tensor a, boolean keepdim, int... axesIn) {
        int[] axes = axes(a.shape(), axesIn);
        Tensor kept = reduceKeep(ReduceOp.SUM, a, axes);
        Shape keptShape = kept.shape();
        Tensor out = keepdim ? kept : kept.viewAs(droppedShape(a.shape(), axes));
        return Autograd.record("sum", out, g -> new Tensor[] {Elementwise.expand(g.reshape(keptShape.dims()), a.shape())}, a);
    }

    static Tensor mean(Tensor a, boolean keepdim, int... axesIn) {
        int[] axes = axes(a.shape(), axesIn);
        long count = 1;
        for (int ax : axes) count *= a.shape().dim(ax);
        return sum(a, keepdim, axes).mul(1.0 / count);
    }

    static Tensor max(Tensor a, int axisIn, boolean keepdim) {
        int axis = a.shape().axis(axisIn);
        if (a.shape().dim(axis) == 0) throw new ShapeException("max: axis " + axisIn + " of " + a.shape() + " is empty");
        int[] axes = {axis};
        Tensor kept = reduceKeep(ReduceOp.MAX, a, axes);
        Shape keptShape = kept.shape();
        Tensor out = keepdim ? kept : kept.viewAs(droppedShape(a.shape(), axes));
        return Autograd.record("max", out, g -> {
            Tensor mask = a.eq(kept.detach());
            Tensor ties = mask.sum(true, axis);
            return new Tensor[] {g.reshape(keptShape.dims()).mul(mask).div(ties)};
        }, a);
    }

    /** Variance over axes with {@code correction} subtracted from the count (0 biased, 1 Bessel). */
    static Tensor var(Tensor a, boolean keepdim, int correction, int... axesIn) {
        int[] axes = axes(a.shape(), axesIn);
        long count = 1;
        for (int ax : axes) count *= a.shape().dim(ax);
        Tensor d = a.sub(mean(a, true, axes));
        return sum(d.mul(d), keepdim, axes).mul(1.0 / (count - correction));
    }

    /** Sums a gradient of a broadcast result back to the shape of the operand that was broadcast. */
    static Tensor sumTo(Tensor g, Shape target) {
        if (g.shape().equals(target)) return g;
        int lead = g.shape().rank() - target.rank();
        int[] axes = new int[g.shape().rank()];
        int n = 0;
        for (int i = 0; i < g.shape().rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && g.shape().dim(i) != 1)) axes[n++] = i;
        }
        if (n == 0) return g.reshape(target.dims());
        return sum(g, true, Arrays.copyOf(axes, n)).reshape(target.dims());
    }
}
