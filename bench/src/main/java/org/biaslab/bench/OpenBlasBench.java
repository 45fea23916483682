package org.biaslab.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Random;
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

/**
 * The comparison for {@link GemmBench}: OpenBLAS's cblas_sgemm on 512³, called through FFM the way the engine
 * would call it, on Java arrays passed in place (a critical downcall) with a fresh output array per call.
 * Needs Debian's libopenblas0-pthread (or any libopenblas.so.0); scores read as GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.NATIVE})
public class OpenBlasBench {
    private static final int N = 512, ROW_MAJOR = 101, NO_TRANS = 111;

    @Param({"1", "2"})
    public int threads;

    private MethodHandle sgemm;
    private float[] a, b;

    @Setup
    public void setup() throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
        MethodHandle setThreads = linker.downcallHandle(lib.findOrThrow("openblas_set_num_threads"),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        setThreads.invokeExact(threads);
        // cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
        var i = ValueLayout.JAVA_INT;
        var f = ValueLayout.JAVA_FLOAT;
        var p = ValueLayout.ADDRESS;
        sgemm = linker.downcallHandle(lib.findOrThrow("cblas_sgemm"),
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, p, i, p, i, f, p, i), Linker.Option.critical(true));
        Random rng = new Random(1);
        a = new float[N * N];
        b = new float[N * N];
        for (int j = 0; j < N * N; j++) {
            a[j] = (float) rng.nextGaussian();
            b[j] = (float) rng.nextGaussian();
        }
    }

    /** (512, 512) @ (512, 512) -> (512, 512). */
    @Benchmark
    @OperationsPerInvocation(GemmBench.FLOPS)
    public float[] sgemm512() throws Throwable {
        float[] c = new float[N * N];
        sgemm.invokeExact(ROW_MAJOR, NO_TRANS, NO_TRANS, N, N, N, 1f, MemorySegment.ofArray(a), N,
                MemorySegment.ofArray(b), N, 0f, MemorySegment.ofArray(c), N);
        return c;
    }
}
