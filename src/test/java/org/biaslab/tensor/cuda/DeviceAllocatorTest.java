package org.biaslab.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The allocator's size classes and reuse (no GPU needed: a fake device memory): large enough, little waste, few misses. */
class DeviceAllocatorTest {
    @Test
    void sizeClassesHoldTheRequestWithAtMostAnEighthUnused() {
        for (long bytes : new long[] {1, 511, 512, 513, 4096, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3_000_000, 109_000_000L, 1L << 30,
                (1L << 30) + 1, 40_000_000_000L}) {
            long r = DeviceAllocator.rounded(bytes);
            assertTrue(r >= bytes, bytes + " -> " + r);
            assertTrue(r % 512 == 0, bytes + " -> " + r);
            if (bytes > 4096) assertTrue(r - bytes <= bytes / 8, bytes + " -> " + r);
            assertEquals(r, DeviceAllocator.rounded(r), "a class is its own class");
        }
        assertEquals(1L << 30, DeviceAllocator.rounded(1L << 30), "powers of two are classes");
    }

    /** A language model's logits (3 members × 16 lines × T × 10,000 × 4 bytes) over the 63 lengths of a KJV epoch. */
    @Test
    void varyingLengthsShareAFewClasses() {
        TreeSet<Long> classes = new TreeSet<>();
        for (int t = 32; t <= 105; t++) classes.add(DeviceAllocator.rounded(3L * 16 * t * 10_000 * 4));
        assertTrue(classes.size() <= 16, classes.size() + " classes");
    }

    /** Device memory that hands out increasing addresses and counts its calls. */
    private static class CountingMemory implements DeviceAllocator.Memory {
        long next = 1 << 20;
        int mallocs;

        @Override
        public long malloc(long bytes) {
            mallocs++;
            next += bytes;
            return next - bytes;
        }

        @Override
        public void free(long address) {}
    }

    /** Collects until the cache holds {@code bytes} (blocks return when their owners are found unreachable). */
    private static void awaitCached(DeviceAllocator a, long bytes) throws InterruptedException {
        for (int i = 0; i < 500 && a.bytesCached() < bytes; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(bytes, a.bytesCached(), "cached after the owner died");
    }

    /** Sizes that vary between steps reuse a dead block up to twice their size instead of calling cudaMalloc. */
    @Test
    void aMissTakesTheSmallestCachedBlockUpToTwiceItsSize() throws InterruptedException {
        CountingMemory memory = new CountingMemory();
        DeviceAllocator a = new DeviceAllocator(Long.MAX_VALUE, 1L << 40, memory);
        long big = DeviceAllocator.rounded(3_000_000);
        long first = a.allocate(3_000_000, new Object()); // its owner is unreachable at once
        awaitCached(a, big);
        Object owner = new Object();
        assertEquals(first, a.allocate(2_000_000, owner), "a 2 MB request takes the cached 3 MB block");
        assertEquals(1, memory.mallocs);
        assertEquals(big, a.bytesInUse(), "in use counts the whole block");
        assertEquals(0, a.bytesCached());
        owner = null;
        awaitCached(a, big);
        long small = a.allocate(1_000_000, new Object());
        assertNotEquals(first, small, "a block over twice the request stays cached");
        assertEquals(2, memory.mallocs);
        assertEquals(2, a.blocksFromCuda(), "reused blocks are not counted");
        assertEquals(big, a.bytesCached());
    }

    /**
     * While a graph is captured every block handed out is reported with its owner, and nothing is freed (cudaFree waits
     * for the GPU): not even a cache past half the limit, which is freed at once after the capture.
     */
    @Test
    void aCaptureGetsEveryBlockReportedAndFreesNothing() throws InterruptedException {
        int[] frees = {0};
        CountingMemory memory = new CountingMemory() {
            @Override
            public void free(long address) {
                frees[0]++;
            }
        };
        long limit = 12L << 20;
        DeviceAllocator a = new DeviceAllocator(Long.MAX_VALUE, limit, memory);
        a.allocate(9L << 20, new Object()); // unreachable at once: 9 MiB cached, past half the limit
        awaitCached(a, 9L << 20);
        java.util.List<Object> held = new java.util.ArrayList<>();
        long[] heldBytes = {0};
        a.beginCapture((owner, bytes) -> {
            held.add(owner);
            heldBytes[0] += bytes;
        });
        Object owner = new Object();
        a.allocate(1000, owner);
        assertEquals(0, frees[0], "no cudaFree while capturing");
        assertEquals(java.util.List.of(owner), held);
        assertEquals(512 * 2, heldBytes[0]);
        CudaException e = org.junit.jupiter.api.Assertions.assertThrows(CudaException.class, () -> a.allocate(4L << 20, new Object())); // no cached block fits, new memory would pass the limit
        assertTrue(e.getMessage().startsWith("CUDA out of memory while capturing a graph"), e.getMessage());
        assertEquals(0, frees[0], "no cudaFree while capturing");
        a.endCapture();
        a.allocate(4L << 20, new Object());
        assertEquals(1, frees[0], "the cache past half the limit is freed after the capture");
        assertEquals(1, held.size(), "blocks after the capture are not reported");
    }
}
