package org.biaslab.bench;

import java.util.concurrent.TimeUnit;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-op overhead: an 8×8 float32 add does 64 FLOPs, so its time is almost all dispatch, shape checks and
 * allocation, the cost that dominates the tiny models of the papers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.NATIVE})
public class TinyOpBench {
    private Tensor a, b;

    @Setup
    public void setup() {
        Rng rng = new Rng(1);
        a = Tensor.randn(rng, DType.F32, 8, 8);
        b = Tensor.randn(rng, DType.F32, 8, 8);
    }

    /** (8, 8) + (8, 8) -> (8, 8). */
    @Benchmark
    public Tensor add8x8() {
        return a.add(b);
    }
}
