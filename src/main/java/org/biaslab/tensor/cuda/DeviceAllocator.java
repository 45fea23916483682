package org.biaslab.tensor.cuda;

import java.lang.ref.Cleaner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A caching allocator of device memory. Blocks go back to a free list of their size when the Java object that
 * owns them becomes unreachable (a {@link Cleaner} action), and are reused by later requests of that size; all
 * kernels run on one stream, so a reused block is only written after the kernels that read it before. When the
 * memory handed out since the last collection passes {@code gcEvery} bytes, a garbage collection is requested so
 * that dead tensors return their blocks. The blocks held (live and cached) stay below {@code limit}, leaving
 * memory to cuBLAS and the kernels' own needs: the cache is freed when it passes {@code limit / 2} (shapes change
 * between ensembles, so old size classes would pile up), and before a request would pass the limit; when
 * cudaMalloc fails, it collects, waits and frees the cache.
 */
public final class DeviceAllocator {
    private static final Cleaner CLEANER = Cleaner.create();

    private final ConcurrentHashMap<Long, ConcurrentLinkedDeque<Long>> free = new ConcurrentHashMap<>();
    private final AtomicLong cached = new AtomicLong();
    private final AtomicLong inUse = new AtomicLong();
    private final AtomicLong sinceGc = new AtomicLong();
    private final long gcEvery;
    private final long limit;

    DeviceAllocator(long gcEvery, long limit) {
        this.gcEvery = gcEvery;
        this.limit = limit;
    }

    /**
     * Size classes, so that blocks are reused: multiples of 512 bytes up to 1 MiB; above, eight classes per power of
     * two (at most 12.5 % unused), so that tensors whose sizes vary from step to step, such as a language model's
     * batches padded to their longest line (63 lengths in a KJV epoch), share a few classes.
     */
    static long rounded(long bytes) {
        long unit = bytes <= (1 << 20) ? 512 : Long.highestOneBit(bytes - 1) / 8;
        return Math.max(512, (bytes + unit - 1) / unit * unit);
    }

    /** A block of at least {@code bytes}, returned to the cache when {@code owner} becomes unreachable. */
    public long allocate(long bytes, Object owner) {
        long size = rounded(bytes);
        long address = take(size);
        inUse.addAndGet(size);
        CLEANER.register(owner, () -> release(address, size));
        if (sinceGc.addAndGet(size) > gcEvery) {
            sinceGc.set(0);
            System.gc();
        }
        return address;
    }

    private long take(long size) {
        Long a = poll(size);
        if (a != null) return a;
        if (cached.get() > limit / 2 || inUse.get() + cached.get() + size > limit) releaseCache();
        if (inUse.get() + size <= limit) {
            try {
                return Cuda.malloc(size);
            } catch (CudaException outOfMemory) {
                Cuda.clearError();
            }
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            System.gc();
            try {
                Thread.sleep(10L << Math.min(attempt, 5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            a = poll(size);
            if (a != null) return a;
            if (inUse.get() + size <= limit) {
                releaseCache();
                try {
                    return Cuda.malloc(size);
                } catch (CudaException outOfMemory) {
                    Cuda.clearError();
                }
            }
        }
        throw new CudaException("CUDA out of memory: " + size / (1 << 20) + " MiB requested, " + inUse.get() / (1 << 20)
                + " MiB in use by live tensors, limit " + limit / (1 << 20) + " MiB (smaller ensembles or batches need less)");
    }

    private Long poll(long size) {
        ConcurrentLinkedDeque<Long> q = free.get(size);
        Long a = q == null ? null : q.pollFirst();
        if (a != null) cached.addAndGet(-size);
        return a;
    }

    private void release(long address, long size) {
        inUse.addAndGet(-size);
        cached.addAndGet(size);
        free.computeIfAbsent(size, k -> new ConcurrentLinkedDeque<>()).addFirst(address);
    }

    /** Frees every cached block back to CUDA. */
    private void releaseCache() {
        for (var e : free.entrySet()) {
            Long a;
            while ((a = e.getValue().pollFirst()) != null) {
                cached.addAndGet(-e.getKey());
                Cuda.free(a);
            }
        }
    }

    /** Bytes held by live tensors. */
    public long bytesInUse() {
        return inUse.get();
    }

    /** Bytes cached for reuse. */
    public long bytesCached() {
        return cached.get();
    }
}
