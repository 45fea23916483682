package org.biaslab.bench;

import java.util.concurrent.TimeUnit;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * float32 GEMM throughput of the CPU backend, output allocation included. Both shapes do 2^28 FLOPs
 * (2·512³ = 64·2·128³), counted as the operations of one invocation, so the score in ops/ns reads as GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.NATIVE})
public class GemmBench {
    static final int FLOPS = 1 << 28;

    @Param({"1", "2"})
    public int threads;

    private Tensor a512, b512, a128, b128;

    @Setup
    public void setup() {
        Jvm.useThreads(threads);
        Rng rng = new Rng(1);
        a512 = Tensor.randn(rng, DType.F32, 512, 512);           // (512, 512)
        b512 = Tensor.randn(rng, DType.F32, 512, 512);           // (512, 512)
        a128 = Tensor.randn(rng, DType.F32, 64, 128, 128);       // (64, 128, 128)
        b128 = Tensor.randn(rng, DType.F32, 64, 128, 128);       // (64, 128, 128)
    }

    /** (512, 512) @ (512, 512) -> (512, 512). */
    @Benchmark
    @OperationsPerInvocation(FLOPS)
    public Tensor gemm512() {
        return a512.matmul(b512);
    }

    /** (64, 128, 128) @ (64, 128, 128) -> (64, 128, 128): a batch of 64 independent products. */
    @Benchmark
    @OperationsPerInvocation(FLOPS)
    public Tensor batched64x128() {
        return a128.matmul(b128);
    }
}
