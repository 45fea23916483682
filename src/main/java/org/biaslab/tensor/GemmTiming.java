package org.biaslab.tensor;

import org.biaslab.tensor.cuda.Cuda;

/**
 * Times an n×n×n float32 product on the GPU through the engine ({@link Tensor#matmul}, which allocates its output
 * and dispatches) and through cuBLAS called directly on preallocated buffers, for {@code biaslab bench gemm}.
 */
public final class GemmTiming {
    private GemmTiming() {}

    /** Milliseconds per product: {engine, direct cuBLAS}, after {@code warmup} untimed products of each. */
    public static double[] cuda(int n, int iterations, int warmup) {
        Tensor a = Tensor.randn(new Rng(1), DType.F32, n, n).to(Device.CUDA);
        Tensor b = Tensor.randn(new Rng(2), DType.F32, n, n).to(Device.CUDA);
        Tensor out = Tensor.empty(DType.F32, Shape.of(n, n), Device.CUDA);
        for (int i = 0; i < warmup; i++) {
            a.matmul(b);
            Cuda.sgemm(false, false, n, n, n, a.storage.address, 0, b.storage.address, 0, out.storage.address, 0, 1);
        }
        Cuda.synchronize();
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) a.matmul(b);
        Cuda.synchronize();
        long t1 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            Cuda.sgemm(false, false, n, n, n, a.storage.address, 0, b.storage.address, 0, out.storage.address, 0, 1);
        }
        Cuda.synchronize();
        long t2 = System.nanoTime();
        return new double[] {(t1 - t0) / 1e6 / iterations, (t2 - t1) / 1e6 / iterations};
    }
}
