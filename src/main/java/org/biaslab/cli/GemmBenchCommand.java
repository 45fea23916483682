package org.biaslab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.biaslab.tensor.GemmTiming;
import org.biaslab.tensor.cuda.Cuda;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code biaslab bench gemm}: float32 GEMMs on the GPU through the engine against cuBLAS called directly. */
@Command(name = "gemm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time n×n×n float32 GEMMs on the GPU: Tensor.matmul against cuBLAS on preallocated buffers.")
public final class GemmBenchCommand implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", defaultValue = "1024,4096,8192", description = "n values (default ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @Option(names = "--iterations", defaultValue = "20") int iterations;

    @Option(names = "--tf32", description = "TF32 tensor cores (default: exact float32)")
    boolean tf32;

    @Override
    public Integer call() {
        Cuda.require();
        Cuda.setTf32(tf32);
        for (int n : sizes) {
            double[] ms = GemmTiming.cuda(n, iterations, 3);
            double flop = 2.0 * n * n * n;
            System.out.printf("n=%d%s: engine %.3f ms (%.1f TFLOP/s), cuBLAS direct %.3f ms (%.1f TFLOP/s), engine/direct %.3f%n", n,
                    tf32 ? " tf32" : "", ms[0], flop / ms[0] / 1e9, ms[1], flop / ms[1] / 1e9, ms[0] / ms[1]);
        }
        return 0;
    }
}
