package org.biaslab.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The allocator's size classes (no GPU needed): large enough, little waste, few classes for sizes that vary. */
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
}
