package org.biaslab.tensor;

/** Where a tensor's storage lives. Only the CPU exists until the CUDA backend lands. */
public enum Device {
    CPU
}
