package org.biaslab.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor of a safetensors file: dtype, row-major shape, and its little-endian bytes. When it comes from a
 * {@link SafeTensorsFile} the bytes are a view into the memory-mapped file, valid until that file is closed.
 */
public record SafeTensorEntry(String name, SafeTensorsDType dtype, long[] shape, MemorySegment data) {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** @throws IllegalArgumentException if the byte count does not match dtype and shape */
    public SafeTensorEntry {
        shape = shape.clone();
        long expected = dtype.byteSize(shape);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + data.byteSize() + " bytes, but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
    }

    /** A copy of the shape; {@code []} is a scalar. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements: the product of the shape (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The elements as floats; F16 and BF16 widen exactly, F64 rounds to nearest. */
    public float[] toFloatArray() {
        int n = arrayLength();
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, n);
            case F64 -> {
                for (int i = 0; i < n; i++) out[i] = (float) data.getAtIndex(F64, i);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.getAtIndex(I16, i));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = bfloat16ToFloat(data.getAtIndex(I16, i));
            }
            default -> throw unsupported("F16, BF16, F32 or F64");
        }
        return out;
    }

    /** The elements as doubles; every F16, BF16 and F32 value is exact in a double. */
    public double[] toDoubleArray() {
        if (dtype == SafeTensorsDType.F64) {
            double[] out = new double[arrayLength()];
            MemorySegment.copy(data, F64, 0, out, 0, out.length);
            return out;
        }
        if (dtype != SafeTensorsDType.F16 && dtype != SafeTensorsDType.BF16 && dtype != SafeTensorsDType.F32) {
            throw unsupported("F16, BF16, F32 or F64");
        }
        float[] f = toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }

    /** The elements as longs, for the integer dtypes up to I64 and for BOOL (0 or 1 as stored). */
    public long[] toLongArray() {
        int n = arrayLength();
        long[] out = new long[n];
        switch (dtype) {
            case BOOL, U8 -> {
                for (int i = 0; i < n; i++) out[i] = Byte.toUnsignedLong(data.get(ValueLayout.JAVA_BYTE, i));
            }
            case I8 -> {
                for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i);
            }
            case I16 -> {
                for (int i = 0; i < n; i++) out[i] = data.getAtIndex(I16, i);
            }
            case U16 -> {
                for (int i = 0; i < n; i++) out[i] = Short.toUnsignedLong(data.getAtIndex(I16, i));
            }
            case I32 -> {
                for (int i = 0; i < n; i++) out[i] = data.getAtIndex(I32, i);
            }
            case U32 -> {
                for (int i = 0; i < n; i++) out[i] = Integer.toUnsignedLong(data.getAtIndex(I32, i));
            }
            case I64 -> MemorySegment.copy(data, I64, 0, out, 0, n);
            default -> throw unsupported("BOOL, U8, I8, I16, U16, I32, U32 or I64");
        }
        return out;
    }

    /** bfloat16 is the top half of a float32: widening is a shift. */
    private static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    private int arrayLength() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' has " + n + " elements, too many for a Java array");
        }
        return (int) n;
    }

    private IllegalStateException unsupported(String supported) {
        return new IllegalStateException("tensor '" + name + "' has dtype " + dtype + "; this conversion needs "
                + supported);
    }
}
