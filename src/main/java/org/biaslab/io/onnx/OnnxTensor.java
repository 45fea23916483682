package org.biaslab.io.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.biaslab.tensor.Shape;

/**
 * An ONNX {@code TensorProto}: an initializer or a constant. The data is either {@code raw_data} (little-endian,
 * a view into the mapped file) or one of the typed fields; the reader has checked that it fills {@code dims}.
 */
public record OnnxTensor(String name, int dataType, long[] dims, ByteString raw, float[] floatData, int[] int32Data,
                         long[] int64Data, double[] doubleData) {
    /** {@code TensorProto.DataType} codes that biaslab converts. */
    public static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, BOOL = 9, DOUBLE = 11;

    /**
     * Number of elements: the product of {@code dims} (1 for a scalar, 0 with a zero dimension however large the
     * others; the reader has checked that it fits an int).
     */
    public long size() {
        return Shape.ofLongs(dims).size();
    }

    /** {@code dims} as ints, for engine shapes (the reader has checked that they fit). */
    public int[] shape() {
        return Shape.ofLongs(dims).dims();
    }

    /** FLOAT or DOUBLE elements as floats. */
    public float[] toFloatArray() {
        float[] f = new float[(int) size()];
        switch (dataType) {
            case FLOAT -> {
                if (raw == null) return floatData.clone();
                little().asFloatBuffer().get(f);
            }
            case DOUBLE -> {
                double[] d = raw == null ? doubleData : new double[f.length];
                if (raw != null) little().asDoubleBuffer().get(d);
                for (int i = 0; i < f.length; i++) f[i] = (float) d[i];
            }
            default -> throw new IllegalArgumentException("tensor '" + name + "' has ONNX data type " + dataType + ", not a float type");
        }
        return f;
    }

    /** Integer elements (INT64, INT32, INT8, UINT8, BOOL) as longs. */
    public long[] toLongArray() {
        long[] x = new long[(int) size()];
        if (raw == null) {
            if (dataType == INT64) return int64Data.clone();
            // the narrower types live in int32_data when not raw (onnx.proto3)
            if (dataType == INT32 || dataType == INT8 || dataType == UINT8 || dataType == BOOL) {
                for (int i = 0; i < x.length; i++) x[i] = int32Data[i];
                return x;
            }
        }
        ByteBuffer b = raw == null ? null : little();
        switch (dataType) {
            case INT64 -> b.asLongBuffer().get(x);
            case INT32 -> { for (int i = 0; i < x.length; i++) x[i] = b.getInt(); }
            case INT8 -> { for (int i = 0; i < x.length; i++) x[i] = b.get(); }
            case UINT8, BOOL -> { for (int i = 0; i < x.length; i++) x[i] = Byte.toUnsignedInt(b.get()); }
            default -> throw new IllegalArgumentException("tensor '" + name + "' has ONNX data type " + dataType + ", not an integer type");
        }
        return x;
    }

    private ByteBuffer little() {
        return raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bytes per element of the types above; 0 for the others. */
    static int width(int dataType) {
        return switch (dataType) {
            case FLOAT, INT32 -> 4;
            case INT64, DOUBLE -> 8;
            case INT8, UINT8, BOOL -> 1;
            default -> 0;
        };
    }

    /** The problem with this tensor's data for its shape, or null: called by the reader. */
    String problem() {
        long n;
        try {
            n = Shape.ofLongs(dims).size();
        } catch (IllegalArgumentException e) {
            return "tensor '" + name + "': " + e.getMessage();
        }
        int width = width(dataType);
        if (width == 0) return null; // not converted: no check
        long have = raw != null ? raw.size() : switch (dataType) {
            case FLOAT -> floatData.length;
            case DOUBLE -> doubleData.length;
            case INT64 -> int64Data.length;
            default -> int32Data.length;
        };
        long need = raw != null ? n * width : n;
        if (have == need) return null;
        return "tensor '" + name + "' has " + have + (raw != null ? " bytes of raw_data" : " typed values") + ", its shape "
                + Arrays.toString(dims) + " needs " + need;
    }
}
