package org.biaslab.io.tf;

import org.biaslab.io.SafeTensorsDType;

/**
 * TensorFlow's {@code DataType} enum ({@code tensorflow/core/framework/types.proto}) by number, with the safetensors
 * dtype of the same bytes where there is one (null for strings, complex, quantised, resource and variant tensors).
 */
enum TfDType {
    DT_FLOAT(1, SafeTensorsDType.F32), DT_DOUBLE(2, SafeTensorsDType.F64), DT_INT32(3, SafeTensorsDType.I32),
    DT_UINT8(4, SafeTensorsDType.U8), DT_INT16(5, SafeTensorsDType.I16), DT_INT8(6, SafeTensorsDType.I8),
    DT_STRING(7, null), DT_COMPLEX64(8, null), DT_INT64(9, SafeTensorsDType.I64), DT_BOOL(10, SafeTensorsDType.BOOL),
    DT_QINT8(11, null), DT_QUINT8(12, null), DT_QINT32(13, null), DT_BFLOAT16(14, SafeTensorsDType.BF16),
    DT_QINT16(15, null), DT_QUINT16(16, null), DT_UINT16(17, SafeTensorsDType.U16), DT_COMPLEX128(18, null),
    DT_HALF(19, SafeTensorsDType.F16), DT_RESOURCE(20, null), DT_VARIANT(21, null), DT_UINT32(22, SafeTensorsDType.U32),
    DT_UINT64(23, SafeTensorsDType.U64);

    final int number;
    /** The same element layout in safetensors terms, or null where biaslab has no tensor for it. */
    final SafeTensorsDType layout;

    TfDType(int number, SafeTensorsDType layout) {
        this.number = number;
        this.layout = layout;
    }

    /** The dtype numbered {@code number}, or null for a number this enum does not know. */
    static TfDType of(int number) {
        for (TfDType t : values()) if (t.number == number) return t;
        return null;
    }
}
