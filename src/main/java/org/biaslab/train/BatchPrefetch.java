package org.biaslab.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.biaslab.data.Batch;
import org.biaslab.data.Sampler;

/**
 * Training batches of steps start … end − 1, each drawn on a background thread while the step before it runs, so
 * the host's sampling overlaps the device's work. Batches are exactly {@code sampler.next(step, stream)}.
 */
public final class BatchPrefetch implements AutoCloseable {
    private final Sampler sampler;
    private final long end, stream;
    private final ExecutorService drawer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "biaslab-batches");
        t.setDaemon(true);
        return t;
    });
    private long step;
    private Future<Batch> next;

    public BatchPrefetch(Sampler sampler, long start, long end, long stream) {
        this.sampler = sampler;
        this.end = end;
        this.stream = stream;
        this.step = start;
        if (start < end) next = drawer.submit(() -> sampler.next(start, stream));
    }

    /** The batch of the next step; starts drawing the one after it. A failure while drawing is rethrown here. */
    public Batch next() {
        if (step >= end) throw new IllegalStateException("batches: all steps up to " + end + " were taken");
        Batch b = await(next);
        long following = ++step;
        next = following < end ? drawer.submit(() -> sampler.next(following, stream)) : null;
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
