package org.biaslab.tensor.cuda;

import java.lang.ref.Cleaner;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;

/**
 * A caching allocator of device memory. Blocks go back to a free list of their size when the Java object that
 * owns them becomes unreachable (a {@link Cleaner} action), and are reused by later requests of that size; all
 * kernels run on one stream, so a reused block is only written after the kernels that read it before. When the
 * memory handed out since the last collection passes {@code gcEvery} bytes, a garbage collection is requested so
 * that dead tensors return their blocks. A request that finds no cached block of its size class takes the smallest
 * cached block up to twice its size before it asks CUDA: blocks return only when the collector finds their tensors
 * dead, so in between, sizes that vary from step to step would otherwise call cudaMalloc (and fill the cache until it
 * is freed, which waits for the GPU). The blocks held (live and cached) stay below {@code limit}, leaving
 * memory to cuBLAS and the kernels' own needs: the cache is freed when it passes {@code limit / 2} (shapes change
 * between ensembles, so old size classes would pile up), and before a request would pass the limit; when
 * cudaMalloc fails, it collects, waits and frees the cache. While a CUDA graph is captured, every block handed out is
 * reported with its owner (the graph keeps the owner alive, so the block is the graph's until it closes), and nothing
 * is freed: cudaFree would wait for the GPU, which a capture forbids.
 */
public final class DeviceAllocator {
    private static final Cleaner CLEANER = Cleaner.create();

    /** Raw device memory: {@code malloc} answers 0 when the device has no room. */
    interface Memory {
        long malloc(long bytes);

        void free(long address);
    }

    private record Block(long address, long size) {}

    private final ConcurrentSkipListMap<Long, ConcurrentLinkedDeque<Long>> free = new ConcurrentSkipListMap<>();
    private final AtomicLong cached = new AtomicLong();
    private final AtomicLong inUse = new AtomicLong();
    private final AtomicLong sinceGc = new AtomicLong();
    private final AtomicLong fromCuda = new AtomicLong();
    private final long gcEvery;
    private final long limit;
    private final Memory memory;
    private volatile ObjLongConsumer<Object> capture;

    DeviceAllocator(long gcEvery, long limit, Memory memory) {
        this.gcEvery = gcEvery;
        this.limit = limit;
        this.memory = memory;
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
        ObjLongConsumer<Object> held = capture;
        Block b = held != null ? takeWhileCapturing(rounded(bytes)) : take(rounded(bytes));
        inUse.addAndGet(b.size());
        CLEANER.register(owner, () -> release(b));
        if (held != null) held.accept(owner, b.size());
        if (sinceGc.addAndGet(b.size()) > gcEvery) {
            sinceGc.set(0);
            System.gc();
        }
        return b.address();
    }

    private Block take(long size) {
        Block a = poll(size);
        if (a != null) return a;
        if (cached.get() > limit / 2 || inUse.get() + cached.get() + size > limit) releaseCache();
        if (inUse.get() + size <= limit) {
            long m = memory.malloc(size);
            if (m != 0) return fresh(m, size);
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
                long m = memory.malloc(size);
                if (m != 0) return fresh(m, size);
            }
        }
        throw new CudaException("CUDA out of memory: " + size / (1 << 20) + " MiB requested, " + inUse.get() / (1 << 20)
                + " MiB in use by live tensors, limit " + limit / (1 << 20) + " MiB (smaller ensembles or batches need less)");
    }

    /** A cached block, else new memory within the limit; no cache is freed and no collection awaited. */
    private Block takeWhileCapturing(long size) {
        Block a = poll(size);
        if (a != null) return a;
        if (inUse.get() + cached.get() + size <= limit) {
            long m = memory.malloc(size);
            if (m != 0) return fresh(m, size);
        }
        throw new CudaException("CUDA out of memory while capturing a graph: " + size / (1 << 20) + " MiB requested, " + inUse.get() / (1 << 20)
                + " MiB in use, " + cached.get() / (1 << 20) + " MiB cached, limit " + limit / (1 << 20)
                + " MiB (a capture cannot free the cache: capture a smaller step)");
    }

    /**
     * From now until {@link #endCapture}, blocks handed out are reported to {@code held} with their size, and the
     * cache is never freed.
     */
    void beginCapture(ObjLongConsumer<Object> held) {
        capture = held;
    }

    void endCapture() {
        capture = null;
    }

    private Block fresh(long address, long size) {
        fromCuda.incrementAndGet();
        return new Block(address, size);
    }

    /** A cached block of the class {@code size}, else the smallest cached one up to twice as large, else null. */
    private Block poll(long size) {
        for (var e : free.subMap(size, true, 2 * size, true).entrySet()) {
            Long a = e.getValue().pollFirst();
            if (a != null) {
                cached.addAndGet(-e.getKey());
                return new Block(a, e.getKey());
            }
        }
        return null;
    }

    private void release(Block b) {
        free.computeIfAbsent(b.size(), k -> new ConcurrentLinkedDeque<>()).addFirst(b.address());
        cached.addAndGet(b.size()); // after the block is in its list, so that a reader of the counts finds it there
        inUse.addAndGet(-b.size());
    }

    /** Frees every cached block back to CUDA. */
    private void releaseCache() {
        for (var e : free.entrySet()) {
            Long a;
            while ((a = e.getValue().pollFirst()) != null) {
                cached.addAndGet(-e.getKey());
                memory.free(a);
            }
        }
    }

    /**
     * Requests a collection and waits until the blocks of dead tensors are back in the cache (the cached bytes steady
     * for 50 ms, at most 2 s): before timing, so that the timed steps reuse blocks instead of calling cudaMalloc, as a
     * long run does once the allocator has collected (it collects every {@code gcEvery} bytes handed out).
     */
    public void collect() {
        System.gc();
        long seen = -1;
        for (int i = 0; i < 40 && cached.get() != seen; i++) {
            seen = cached.get();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Blocks asked of CUDA so far (each a cudaMalloc); a warm cache asks none. */
    public long blocksFromCuda() {
        return fromCuda.get();
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
