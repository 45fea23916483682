package org.biaslab.tensor.cuda;

/** A failed CUDA, cuBLAS or NVRTC call, or no usable CUDA installation; the message names the call and the reason. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }
}
