package org.biaslab.tensor;

/**
 * Iteration plan for operands broadcast to an output shape: dimensions of size 1 are dropped and neighbours that
 * are contiguous in every operand are merged, so kernels run over rows of length {@link #inner} with per-operand
 * inner stride 0 (broadcast) or 1.
 */
final class Broadcast {
    final int[] dims;
    final int[][] strides;
    final int inner;
    final int rows;

    private Broadcast(int[] dims, int[][] strides) {
        this.dims = dims;
        this.strides = strides;
        this.inner = dims.length == 0 ? 1 : dims[dims.length - 1];
        int r = 1;
        for (int i = 0; i < dims.length - 1; i++) r *= dims[i];
        this.rows = dims.length == 0 ? 1 : r;
    }

    static Broadcast of(Shape out, Shape... operands) {
        int rank = out.rank();
        int[] od = out.dims();
        int[][] st = new int[operands.length][rank];
        for (int o = 0; o < operands.length; o++) {
            Shape s = operands[o];
            int off = rank - s.rank();
            int acc = 1;
            for (int i = s.rank() - 1; i >= 0; i--) {
                st[o][i + off] = s.dim(i) == 1 ? 0 : acc;
                acc *= s.dim(i);
            }
        }
        int[] dims = new int[rank];
        int[][] strides = new int[operands.length][rank];
        int n = 0;
        for (int i = 0; i < rank; i++) {
            if (od[i] == 1) continue;
            if (n > 0 && mergeable(st, strides, i, n - 1, od[i])) {
                dims[n - 1] *= od[i];
                for (int o = 0; o < operands.length; o++) strides[o][n - 1] = st[o][i];
                continue;
            }
            dims[n] = od[i];
            for (int o = 0; o < operands.length; o++) strides[o][n] = st[o][i];
            n++;
        }
        int[] d = java.util.Arrays.copyOf(dims, n);
        int[][] s = new int[operands.length][];
        for (int o = 0; o < operands.length; o++) s[o] = java.util.Arrays.copyOf(strides[o], n);
        return new Broadcast(d, s);
    }

    private static boolean mergeable(int[][] st, int[][] merged, int i, int last, int size) {
        for (int o = 0; o < st.length; o++) {
            if (merged[o][last] != st[o][i] * size) return false;
        }
        return true;
    }

    /** Inner-loop stride of operand o: 0 if it is broadcast along the innermost merged dimension, else 1. */
    int innerStride(int o) {
        return dims.length == 0 ? 0 : strides[o][dims.length - 1];
    }

    /**
     * {@link #rowOffset} of operand o for the rows from, from + 1, …, to − 1, counting through the row index's
     * digits instead of dividing for each row.
     */
    int[] rowOffsets(int o, int from, int to) {
        int[] out = new int[to - from];
        int k = dims.length - 1; // the row index's digits are dims[0 … k)
        if (k <= 0) return out;
        int[] digit = new int[k];
        int off = 0;
        for (int i = k - 1, row = from; i >= 0; i--) {
            digit[i] = row % dims[i];
            off += digit[i] * strides[o][i];
            row /= dims[i];
        }
        for (int r = 0; r < out.length; r++) {
            out[r] = off;
            for (int i = k - 1; i >= 0; i--) {
                off += strides[o][i];
                if (++digit[i] < dims[i]) break;
                off -= dims[i] * strides[o][i];
                digit[i] = 0;
            }
        }
        return out;
    }

    /** Element offset in operand o of the first element of output row {@code row}. */
    int rowOffset(int o, int row) {
        int off = 0;
        for (int i = dims.length - 2; i >= 0 && row > 0; i--) {
            off += (row % dims[i]) * strides[o][i];
            row /= dims[i];
        }
        return off;
    }
}
