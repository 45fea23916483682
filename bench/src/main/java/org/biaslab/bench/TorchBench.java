package org.biaslab.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * The libtorch reference (PyTorch 2.7.1 CPU through DJL) for {@link GemmBench} and {@link TinyOpBench}, the same
 * shapes in the same run. Each result is closed in the benchmark: freeing native memory is part of an op's cost.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.NATIVE})
public class TorchBench {
    @Param({"1", "2"})
    public int threads;

    private NDManager manager;
    private NDArray a512, b512, a128, b128, a8, b8;

    @Setup
    public void setup() {
        // read once, when DJL starts libtorch: intra-op threads (GEMM) and inter-op threads
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        manager = NDManager.newBaseManager("PyTorch");
        manager.getEngine().setRandomSeed(1);
        a512 = manager.randomNormal(new Shape(512, 512));
        b512 = manager.randomNormal(new Shape(512, 512));
        a128 = manager.randomNormal(new Shape(64, 128, 128));
        b128 = manager.randomNormal(new Shape(64, 128, 128));
        a8 = manager.randomNormal(new Shape(8, 8));
        b8 = manager.randomNormal(new Shape(8, 8));
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    /** (512, 512) @ (512, 512) -> (512, 512); GFLOP/s. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(GemmBench.FLOPS)
    public void gemm512() {
        a512.matMul(b512).close();
    }

    /** (64, 128, 128) @ (64, 128, 128) -> (64, 128, 128); GFLOP/s. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(GemmBench.FLOPS)
    public void batched64x128() {
        a128.matMul(b128).close();
    }

    /** (8, 8) + (8, 8) -> (8, 8); ns per op. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void add8x8() {
        a8.add(b8).close();
    }
}
