package org.biaslab.tensor.cuda;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * With {@code -Dbiaslab.cuda.profile=true}, every kernel, GEMM and cudaMalloc waits for the GPU and its time is
 * added to a per-name total, printed at exit: a coarse profile without Nsight (it serialises the stream).
 */
final class KernelProfile {
    static final boolean ON = Boolean.getBoolean("biaslab.cuda.profile");
    private static final Map<String, LongAdder[]> TOTALS = new ConcurrentHashMap<>();

    static {
        if (ON) Runtime.getRuntime().addShutdownHook(new Thread(KernelProfile::print));
    }

    private KernelProfile() {}

    /** Nothing is timed while a graph is captured: the work is recorded, not run (its replays are timed whole). */
    static long start() {
        if (!ON || StreamCapture.active()) return 0;
        Cuda.synchronize();
        return System.nanoTime();
    }

    static void stop(String name, long t0) {
        if (!ON || StreamCapture.active()) return;
        Cuda.synchronize();
        LongAdder[] a = TOTALS.computeIfAbsent(name, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[0].add(System.nanoTime() - t0);
        a[1].increment();
    }

    static void reset() {
        TOTALS.clear();
    }

    private static void print() {
        long all = TOTALS.values().stream().mapToLong(a -> a[0].sum()).sum();
        System.err.printf("CUDA profile (stream serialised): %.1f ms in all%n", all / 1e6);
        TOTALS.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0].sum(), x.getValue()[0].sum())).limit(25)
                .forEach(e -> System.err.printf("  %-28s %9.1f ms %8d calls %8.1f us/call%n", e.getKey(), e.getValue()[0].sum() / 1e6,
                        e.getValue()[1].sum(), e.getValue()[0].sum() / 1e3 / e.getValue()[1].sum()));
    }
}
