package org.biaslab.tensor;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.biaslab.tensor.cuda.Cuda;

/** Copies between Java arrays and device memory, staged through native host memory. */
final class CudaTransfer {
    private CudaTransfer() {}

    static Tensor toCuda(Tensor t) {
        if (t.dtype() == DType.F64) {
            throw new IllegalArgumentException("to(CUDA): float64 tensors stay on the CPU; convert with to(DType.F32) first");
        }
        Tensor out = Tensor.empty(t.dtype(), t.shape(), Device.CUDA);
        copyToDevice(t, out);
        return out;
    }

    /** Copies a CPU tensor's values into the storage of a GPU tensor of the same dtype and size, on the stream. */
    static void copyToDevice(Tensor t, Tensor out) {
        long bytes = (long) t.size() * t.dtype().bytes;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(Math.max(1, bytes), 16);
            if (t.dtype() == DType.F32) MemorySegment.copy(t.storage.f32, 0, host, JAVA_FLOAT, 0, t.size());
            else MemorySegment.copy(t.storage.i32, 0, host, JAVA_INT, 0, t.size());
            // from pageable memory the copy returns once the source has been staged, so the arena may close
            Cuda.copyToDevice(host, out.storage.address, bytes);
        }
    }

    static Tensor toCpu(Tensor t) {
        Tensor out = Tensor.empty(t.dtype(), t.shape());
        long bytes = (long) t.size() * t.dtype().bytes;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(Math.max(1, bytes), 16);
            Cuda.copyToHost(t.storage.address, host, bytes);
            if (t.dtype() == DType.F32) MemorySegment.copy(host, JAVA_FLOAT, 0, out.storage.f32, 0, t.size());
            else MemorySegment.copy(host, JAVA_INT, 0, out.storage.i32, 0, t.size());
        }
        return out;
    }

    static double element(Tensor t, int i) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(8, 8);
            Cuda.copyToHost(t.storage.address + (long) i * t.dtype().bytes, host, t.dtype().bytes);
            return t.dtype() == DType.F32 ? host.get(JAVA_FLOAT, 0) : host.get(JAVA_INT, 0);
        }
    }
}
