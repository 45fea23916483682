package org.biaslab.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Runs loops over the CPU cores. Work is cut into chunks that depend only on the problem size, never on the
 * number of threads, so results are bitwise identical whatever the parallelism. {@code -Dbiaslab.threads=N}
 * sets the thread count (default: all cores).
 */
final class Parallel {
    static final int THREADS = Integer.getInteger("biaslab.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    private Parallel() {}

    /** Body over the half-open index range [from, to). */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) in chunks of {@code grain} indices, in parallel when there is more than one
     * chunk; {@code grain} should make a chunk worth tens of microseconds.
     */
    static void forRange(int n, int grain, Range body) {
        int g = Math.max(1, grain);
        int chunks = (n + g - 1) / g;
        if (chunks <= 1 || POOL == null || java.util.concurrent.ForkJoinTask.getPool() == POOL) {
            if (n > 0) body.run(0, n);
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = c * g, to = Math.min(n, from + g);
            tasks.add(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(from, to);
                }
            });
        }
        POOL.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                invokeAll(tasks);
            }
        });
    }

    /** Grain (indices per chunk) such that a chunk holds about {@code work} units when each index costs {@code cost}. */
    static int grain(long cost, long work) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, work / Math.max(1, cost)));
    }
}
