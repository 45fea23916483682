package org.biaslab.tensor;

/** A tensor's elements on the CPU: exactly one of the arrays is set, by dtype. Tensors that reshape share it. */
public final class Storage {
    final float[] f32;
    final double[] f64;
    final int[] i32;

    private Storage(float[] f32, double[] f64, int[] i32) {
        this.f32 = f32;
        this.f64 = f64;
        this.i32 = i32;
    }

    static Storage allocate(DType dtype, int n) {
        return switch (dtype) {
            case F32 -> new Storage(new float[n], null, null);
            case F64 -> new Storage(null, new double[n], null);
            case I32 -> new Storage(null, null, new int[n]);
        };
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
