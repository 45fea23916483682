package org.biaslab.tensor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs loops over the CPU cores. Work is cut into chunks that depend only on the problem size, never on the
 * number of threads, so results are bitwise identical whatever the parallelism. {@code -Dbiaslab.threads=N}
 * sets the thread count (default: all cores).
 */
final class Parallel {
    static final int THREADS = Integer.getInteger("biaslab.threads", Runtime.getRuntime().availableProcessors());
    /** THREADS − 1 helpers: the calling thread works too. */
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS - 1) : null;

    private Parallel() {}

    /** Body over the half-open index range [from, to). */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) in chunks of {@code grain} indices, in parallel when there is more than one
     * chunk; {@code grain} should make a chunk worth tens of microseconds. The calling thread and the pool's helpers
     * take chunks from a shared counter, and the call returns when every chunk is done: a helper that has not
     * started by then (its core busy with another process) takes nothing, so no one waits for it.
     */
    static void forRange(int n, int grain, Range body) {
        int g = Math.max(1, grain);
        int chunks = (n + g - 1) / g;
        if (chunks <= 1 || POOL == null || ForkJoinTask.getPool() == POOL) {
            if (n > 0) body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(chunks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            for (int c; (c = next.getAndIncrement()) < chunks; done.countDown()) {
                try {
                    body.run(c * g, (int) Math.min(n, (long) c * g + g));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }
        };
        for (int h = 0; h < Math.min(THREADS - 1, chunks - 1); h++) POOL.execute(work);
        work.run();
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // chunks are still running on the arrays: wait for them, then restore the flag
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    /** Grain (indices per chunk) such that a chunk holds about {@code work} units when each index costs {@code cost}. */
    static int grain(long cost, long work) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, work / Math.max(1, cost)));
    }
}
