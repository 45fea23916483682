package org.biaslab.data;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongFunction;

/**
 * Batches start … end − 1, each drawn on a background thread while the work on the one before it runs, so the host's
 * sampling overlaps the device's work: a trainer's steps ({@code sampler.next(step, stream)}) or a measurement's
 * batches. {@code draw} must be a function of the index alone.
 */
public final class BatchPrefetch implements AutoCloseable {
    private final LongFunction<Batch> draw;
    private final long end;
    private final ExecutorService drawer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "biaslab-batches");
        t.setDaemon(true);
        return t;
    });
    private long step;
    private Future<Batch> next;

    /** Training batches: {@code sampler.next(step, stream)} for steps start … end − 1. */
    public BatchPrefetch(Sampler sampler, long start, long end, long stream) {
        this(step -> sampler.next(step, stream), start, end);
    }

    /** {@code draw.apply(i)} for i = start … end − 1. */
    public BatchPrefetch(LongFunction<Batch> draw, long start, long end) {
        this.draw = draw;
        this.end = end;
        this.step = start;
        if (start < end) next = drawer.submit(() -> draw.apply(start));
    }

    /** The next batch; starts drawing the one after it. A failure while drawing is rethrown here. */
    public Batch next() {
        if (step >= end) throw new IllegalStateException("batches: all batches up to " + end + " were taken");
        Batch b = await(next);
        long following = ++step;
        next = following < end ? drawer.submit(() -> draw.apply(following)) : null;
        return b;
    }

    private static Batch await(Future<Batch> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("batches: interrupted while drawing a batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("batches: drawing a batch failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        drawer.shutdownNow();
    }
}
