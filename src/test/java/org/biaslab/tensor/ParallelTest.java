package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyIndexRunsOnceInChunksOfTheGrain() {
        int n = 10_007, grain = 64;
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        Parallel.forRange(n, grain, (from, to) -> {
            assertEquals(0, from % grain, "chunks start at multiples of the grain");
            assertEquals(Math.min(n, from + grain), to, "a chunk is one grain, the last one the rest");
            for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i);
    }

    @Test
    void nestedLoopsComplete() {
        AtomicIntegerArray seen = new AtomicIntegerArray(64 * 64);
        Parallel.forRange(64, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = i;
                Parallel.forRange(64, 1, (f, t) -> {
                    for (int j = f; j < t; j++) seen.incrementAndGet(row * 64 + j);
                });
            }
        });
        for (int i = 0; i < seen.length(); i++) assertEquals(1, seen.get(i));
    }

    @Test
    void aFailingChunkIsRethrownToTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, 1, (from, to) -> {
            if (from == 57) throw new IllegalStateException("chunk 57");
        }));
        assertEquals("chunk 57", e.getMessage());
    }
}
