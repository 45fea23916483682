package org.biaslab.tensor;

import org.biaslab.tensor.cuda.Cuda;

/**
 * A tensor's elements: on the CPU exactly one of the arrays is set, by dtype; on the GPU {@code address} is a
 * device block that returns to the allocator's cache when this object becomes unreachable. Tensors that reshape
 * share it.
 */
public final class Storage {
    final float[] f32;
    final double[] f64;
    final int[] i32;
    final long address;

    private Storage(float[] f32, double[] f64, int[] i32) {
        this.f32 = f32;
        this.f64 = f64;
        this.i32 = i32;
        this.address = 0;
    }

    private Storage(long bytes) {
        this.f32 = null;
        this.f64 = null;
        this.i32 = null;
        this.address = Cuda.allocator().allocate(bytes, this);
    }

    static Storage allocate(DType dtype, int n) {
        Storage s = switch (dtype) {
            case F32 -> new Storage(new float[n], null, null);
            case F64 -> new Storage(null, new double[n], null);
            case I32 -> new Storage(null, null, new int[n]);
        };
        ArrayPool.created(s);
        return s;
    }

    /** n elements with arbitrary contents (a recycled float32 array when the pool has one): every element must be written. */
    static Storage allocateUninitialised(DType dtype, int n) {
        float[] recycled = dtype == DType.F32 ? ArrayPool.take(n) : null;
        if (recycled == null) return allocate(dtype, n);
        Storage s = new Storage(recycled, null, null);
        ArrayPool.created(s);
        return s;
    }

    /** Uninitialised device memory for n elements. */
    static Storage allocateCuda(DType dtype, int n) {
        if (dtype == DType.F64) throw new IllegalArgumentException("cuda: float64 tensors stay on the CPU (convert with to(DType.F32))");
        return new Storage((long) n * dtype.bytes);
    }

    static Storage wrap(float[] a) {
        return new Storage(a, null, null);
    }

    static Storage wrap(double[] a) {
        return new Storage(null, a, null);
    }

    static Storage wrap(int[] a) {
        return new Storage(null, null, a);
    }
}
