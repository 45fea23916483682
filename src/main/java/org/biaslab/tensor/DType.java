package org.biaslab.tensor;

/** Element type of a tensor: float32 for training, float64 for analysis on the CPU, int32 for indices. */
public enum DType {
    F32(4), F64(8), I32(4);

    /** Bytes per element. */
    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Whether values of this type carry gradients. */
    public boolean isFloating() {
        return this != I32;
    }
}
