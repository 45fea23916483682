package org.biaslab.tensor;

import java.util.Arrays;

/** An immutable list of dimension sizes; a rank-0 shape is a scalar. Row-major (C) order throughout. */
public final class Shape {
    private final int[] dims;
    private final long size;

    private Shape(int[] dims) {
        long n = 1;
        boolean empty = false;
        for (int d : dims) {
            if (d < 0) throw new ShapeException("negative dimension in shape " + Arrays.toString(dims));
            if (d == 0) empty = true;
            else if (n <= Integer.MAX_VALUE) n *= d; // at most (2^31-1)^2: no long overflow, however many dimensions
        }
        if (!empty && n > Integer.MAX_VALUE) throw new ShapeException("shape " + Arrays.toString(dims) + " has more than 2^31-1 elements");
        this.dims = dims;
        this.size = empty ? 0 : n;
    }

    /** A shape with the given dimensions. */
    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /**
     * The shape of dimensions read from a file, where they are longs: every loader turns a stored shape into an
     * engine shape here, so a dimension outside 0..2^31-1 or too many elements is one {@link ShapeException}.
     */
    public static Shape ofLongs(long... dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new ShapeException("shape " + Arrays.toString(dims) + " has dimension " + dims[i] + ", outside 0..2^31-1");
            }
            d[i] = (int) dims[i];
        }
        return new Shape(d);
    }

    public static final Shape SCALAR = new Shape(new int[0]);

    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return dims[axis(i)];
    }

    /** Number of elements. */
    public int size() {
        return (int) size;
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Normalises a possibly negative axis index, or throws naming the shape. */
    public int axis(int a) {
        int r = a < 0 ? a + dims.length : a;
        if (r < 0 || r >= dims.length) throw new IllegalArgumentException("axis " + a + " out of range for shape " + this);
        return r;
    }

    /** Product of the dimensions before {@code axis}. */
    public int outer(int axis) {
        int n = 1;
        for (int i = 0; i < axis; i++) n *= dims[i];
        return n;
    }

    /** Product of the dimensions after {@code axis}. */
    public int inner(int axis) {
        int n = 1;
        for (int i = axis + 1; i < dims.length; i++) n *= dims[i];
        return n;
    }

    /** Row-major strides in elements. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** This shape with dimension {@code axis} replaced by {@code n}. */
    public Shape with(int axis, int n) {
        int[] d = dims.clone();
        d[axis(axis)] = n;
        return new Shape(d);
    }

    /** NumPy broadcasting of two shapes; the error names the op and both shapes. */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + a + " and " + b + " cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
