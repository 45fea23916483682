package org.biaslab.tensor;

import java.util.Arrays;

/** Ops that move elements without arithmetic: reshape, permute, slice, concat, and embedding gathers. */
final class Reshaping {
    private Reshaping() {}

    static Tensor reshape(Tensor a, int... dimsIn) {
        int[] dims = dimsIn.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (infer >= 0) throw new ShapeException("reshape: more than one -1 in " + java.util.Arrays.toString(dimsIn));
                infer = i;
            } else {
                known *= dims[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || a.shape().size() % known != 0) {
                throw new ShapeException("reshape: cannot reshape " + a.shape() + " to " + java.util.Arrays.toString(dimsIn));
            }
            dims[infer] = (int) (a.shape().size() / known);
        }
        Shape s = Shape.of(dims);
        if (s.size() != a.shape().size()) throw new ShapeException("reshape: cannot reshape " + a.shape() + " to " + s);
        if (s.equals(a.shape())) return a;
        Tensor out = a.viewAs(s);
        return Autograd.record("reshape", out, g -> new Tensor[] {g.reshape(a.shape().dims())}, a);
    }

    static Tensor permute(Tensor a, int... permIn) {
        int r = a.shape().rank();
        if (permIn.length != r) throw new ShapeException("permute: " + permIn.length + " axes given for shape " + a.shape());
        int[] perm = new int[r];
        int[] inverse = new int[r];
        boolean[] used = new boolean[r];
        boolean identity = true;
        int[] dims = new int[r];
        for (int j = 0; j < r; j++) {
            perm[j] = a.shape().axis(permIn[j]);
            if (used[perm[j]]) throw new ShapeException("permute: axis " + perm[j] + " repeated for shape " + a.shape());
            used[perm[j]] = true;
            inverse[perm[j]] = j;
            dims[j] = a.shape().dim(perm[j]);
            identity &= perm[j] == j;
        }
        if (identity) return a;
        Tensor out = Tensor.empty(a.dtype(), Shape.of(dims), a.device());
        Kernels.of(a.device()).permute(a, perm, out);
        return Autograd.record("permute", out, g -> new Tensor[] {permute(g, inverse)}, a);
    }

    static Tensor transpose(Tensor a, int i, int j) {
        int[] perm = new int[a.shape().rank()];
        for (int k = 0; k < perm.length; k++) perm[k] = k;
        int ai = a.shape().axis(i), aj = a.shape().axis(j);
        perm[ai] = aj;
        perm[aj] = ai;
        return permute(a, perm);
    }

    static Tensor slice(Tensor a, int axisIn, int start, int end) {
        int axis = a.shape().axis(axisIn);
        int n = a.shape().dim(axis);
        if (start < 0 || end > n || start > end) {
            throw new ShapeException("slice: range [" + start + ", " + end + ") out of bounds for axis " + axisIn + " of " + a.shape());
        }
        if (start == 0 && end == n) return a;
        Tensor out = Tensor.uninitialised(a.dtype(), a.shape().with(axis, end - start), a.device());
        Kernels.of(a.device()).slice(a, axis, start, out);
        return Autograd.record("slice", out, g -> new Tensor[] {pad(g, axis, start, a.shape())}, a);
    }

    /** Places {@code a} at {@code start} along {@code axis} inside zeros of {@code shape} (the adjoint of slice). */
    static Tensor pad(Tensor a, int axis, int start, Shape shape) {
        Tensor out = Tensor.zeros(a.dtype(), shape, a.device());
        Kernels.of(a.device()).insert(a, axis, start, out);
        int end = start + a.shape().dim(axis);
        return Autograd.record("pad", out, g -> new Tensor[] {slice(g, axis, start, end)}, a);
    }

    static Tensor concat(int axisIn, Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("concat: no tensors given");
        Shape first = ts[0].shape();
        int axis = first.axis(axisIn);
        int total = 0;
        for (Tensor t : ts) {
            Tensor.checkCompatible("concat", ts[0], t);
            if (t.shape().rank() != first.rank()) throw new ShapeException("concat: shapes " + first + " and " + t.shape() + " differ in rank");
            for (int i = 0; i < first.rank(); i++) {
                if (i != axis && t.shape().dim(i) != first.dim(i)) {
                    throw new ShapeException("concat: shapes " + first + " and " + t.shape() + " differ outside axis " + axisIn);
                }
            }
            total += t.shape().dim(axis);
        }
        Tensor out = Tensor.uninitialised(ts[0].dtype(), first.with(axis, total), ts[0].device()); // the parts tile it
        int[] starts = new int[ts.length];
        int at = 0;
        for (int i = 0; i < ts.length; i++) {
            starts[i] = at;
            Kernels.of(ts[i].device()).insert(ts[i], axis, at, out);
            at += ts[i].shape().dim(axis);
        }
        return Autograd.record("concat", out, g -> {
            Tensor[] grads = new Tensor[ts.length];
            for (int i = 0; i < ts.length; i++) grads[i] = slice(g, axis, starts[i], starts[i] + ts[i].shape().dim(axis));
            return grads;
        }, ts);
    }

    static Tensor stack(int axis, Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("stack: no tensors given");
        int ax = axis < 0 ? axis + ts[0].shape().rank() + 1 : axis;
        Tensor[] expanded = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            if (!ts[i].shape().equals(ts[0].shape())) throw new ShapeException("stack: shapes " + ts[0].shape() + " and " + ts[i].shape() + " differ");
            expanded[i] = ts[i].unsqueeze(ax);
        }
        return concat(ax, expanded);
    }

    static Tensor unsqueeze(Tensor a, int axis) {
        int r = a.shape().rank();
        int ax = axis < 0 ? axis + r + 1 : axis;
        if (ax < 0 || ax > r) throw new ShapeException("unsqueeze: axis " + axis + " out of range for shape " + a.shape());
        int[] d = new int[r + 1];
        for (int i = 0, j = 0; i <= r; i++) d[i] = i == ax ? 1 : a.shape().dim(j++);
        return reshape(a, d);
    }

    /**
     * Rows of a 2-D {@code table} picked by int32 {@code index} of any shape: result shape index.shape + [D]. A 3-D
     * table (G, V, D) is G tables (an ensemble's): index (G, …) picks from its own group's rows, result (G, …, D).
     */
    static Tensor embedding(Tensor table, Tensor index) {
        Tensor flat = checkedIndex(table, index, "embedding");
        int rank = table.shape().rank(), groups = rank == 3 ? table.dim(0) : 1, d = table.shape().dim(-1);
        Tensor out = Tensor.empty(table.dtype(), Shape.of(index.shape().size(), d), table.device());
        Kernels.of(table.device()).gather(tableRows(table), flat, out, groups);
        return Autograd.record("embedding", out.viewAs(rowsShape(index, d)), g -> new Tensor[] {tableGradient(g, flat, table), null}, table, index);
    }

    /** {@link Tensor#embeddingAdd}: one gather-add kernel where the backend has one, else the embedding and an add. */
    static Tensor embeddingAdd(Tensor table, Tensor index, Tensor addend) {
        int rank = table.shape().rank(), d = table.shape().dim(-1), p = index.shape().rank() == 0 ? 1 : index.dim(-1);
        Shape want = rank == 3 ? Shape.of(table.dim(0), p, d) : Shape.of(p, d);
        if (!addend.shape().equals(want)) {
            throw new ShapeException("embedding add: addend " + addend.shape() + " should be " + want + " for table " + table.shape() + " and indices " + index.shape());
        }
        int[] broadcast = new int[Math.max(1, index.shape().rank()) + 1]; // (G, 1, …, P, D) or (1, …, P, D)
        Arrays.fill(broadcast, 1);
        broadcast[broadcast.length - 1] = d;
        broadcast[broadcast.length - 2] = p;
        if (rank == 3) broadcast[0] = table.dim(0);
        Backend kernels = Kernels.of(table.device());
        if (!kernels.hasGatherAdd() || addend.device() != table.device() || addend.dtype() != table.dtype()) {
            return embedding(table, index).add(addend.reshape(broadcast));
        }
        Tensor flat = checkedIndex(table, index, "embedding add");
        Tensor out = Tensor.empty(table.dtype(), Shape.of(index.shape().size(), d), table.device());
        kernels.gatherAdd(tableRows(table), flat, addend.reshape(-1, d), out, rank == 3 ? table.dim(0) : 1);
        Shape addendShape = addend.shape();
        return Autograd.record("embedding_add", out.viewAs(rowsShape(index, d)), g -> new Tensor[] {
                tableGradient(g, flat, table), null, g.sumTo(Shape.of(broadcast)).reshape(addendShape.dims())}, table, index, addend);
    }

    /** index on the table's device, flat, after checking its type, shape and range (skipped while capturing a graph). */
    private static Tensor checkedIndex(Tensor table, Tensor index, String op) {
        int rank = table.shape().rank();
        if (rank != 2 && rank != 3) throw new ShapeException(op + ": table must be 2-D (or 3-D per group), got " + table.shape());
        if (index.dtype() != DType.I32) throw new IllegalArgumentException(op + ": indices must be I32, got " + index.dtype());
        int groups = rank == 3 ? table.shape().dim(0) : 1, vocab = table.shape().dim(rank - 2);
        if (rank == 3 && (index.shape().rank() == 0 || index.shape().dim(0) != groups)) {
            throw new ShapeException(op + ": indices " + index.shape() + " need a leading axis of " + groups + " for table " + table.shape());
        }
        // a captured CUDA graph cannot read indices back: they are then the caller's to keep in range
        if (index.device() == Device.CPU || !CudaGraph.capturing()) {
            for (int i : index.toIntArray()) {
                if (i < 0 || i >= vocab) throw new IndexOutOfBoundsException(op + ": index " + i + " out of range for a table of " + vocab + " rows");
            }
        }
        return index.to(table.device()).viewAs(Shape.of(index.shape().size()));
    }

    /** The table as (G·V, D) rows. */
    private static Tensor tableRows(Tensor table) {
        return table.shape().rank() == 2 ? table : table.reshape(table.dim(0) * table.dim(1), table.dim(2));
    }

    /** index.shape + [D]. */
    private static Shape rowsShape(Tensor index, int d) {
        int[] od = Arrays.copyOf(index.shape().dims(), index.shape().rank() + 1);
        od[od.length - 1] = d;
        return Shape.of(od);
    }

    /** The table's gradient from the gathered rows' g: g's rows added at their indices, per group. */
    private static Tensor tableGradient(Tensor g, Tensor flat, Tensor table) {
        int rank = table.shape().rank(), d = table.shape().dim(-1), groups = rank == 3 ? table.dim(0) : 1;
        Tensor back = scatterRows(g.reshape(-1, d), flat, groups * table.shape().dim(rank - 2), groups); // (G·V, D)
        return rank == 2 ? back : back.reshape(table.shape().dims());
    }

    /** The adjoint of embedding: rows of {@code src} added into a (rows × D) zero table at {@code index} (per group). */
    static Tensor scatterRows(Tensor src, Tensor index, int rows, int groups) {
        Tensor out = Tensor.zeros(src.dtype(), Shape.of(rows, src.shape().dim(1)), src.device());
        Kernels.of(src.device()).scatterAdd(src, index, out, groups);
        return Autograd.record("scatter_rows", out, g -> {
            Tensor back = Tensor.empty(g.dtype(), src.shape(), g.device());
            Kernels.of(g.device()).gather(g, index, back, groups);
            return new Tensor[] {back, null};
        }, src, index);
    }
}
