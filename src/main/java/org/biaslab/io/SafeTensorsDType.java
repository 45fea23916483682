package org.biaslab.io;

/**
 * The element types of the safetensors format, spelled as in the header ({@code "F32"}, {@code "BF16"}, …).
 *
 * <p>Declared in the order of the reference implementation's {@code Dtype} enum (huggingface/safetensors,
 * {@code safetensors/src/tensor.rs}), which is the order of increasing alignment: the writer lays tensors out by
 * descending position in this order, then by name, exactly as the reference does.
 */
public enum SafeTensorsDType {
    BOOL(8), F4(4), F6_E2M3(6), F6_E3M2(6), U8(8), I8(8), F8_E5M2(8), F8_E4M3(8), F8_E8M0(8),
    F8_E4M3FNUZ(8), F8_E5M2FNUZ(8), I16(16), U16(16), F16(16), BF16(16), I32(32), U32(32), F32(32),
    C64(64), F64(64), I64(64), U64(64);

    private final int bits;

    SafeTensorsDType(int bits) {
        this.bits = bits;
    }

    /** Width of one element in bits ({@code BOOL} is stored as one byte; F4 and F6 are packed). */
    public int bits() {
        return bits;
    }

    /**
     * Bytes that a tensor of this dtype and shape occupies.
     *
     * @throws ArithmeticException if the size overflows a {@code long}
     * @throws IllegalArgumentException if a dimension is negative or the elements do not fill whole bytes
     */
    public long byteSize(long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            count = Math.multiplyExact(count, d);
        }
        long totalBits = Math.multiplyExact(count, bits);
        if (totalBits % 8 != 0) {
            throw new IllegalArgumentException(count + " elements of " + this + " do not fill whole bytes");
        }
        return totalBits / 8;
    }
}
