package org.biaslab.boolfn;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * Refuses, with a message that says what to do, an allocation the JVM heap cannot hold. A large array lives in one
 * heap pool (with the launcher's ParallelGC, the old generation: about 2/3 of -Xmx), so the largest free pool counts.
 */
final class Heap {
    private Heap() {}

    static void require(long bytes, String what) {
        if (largestFreePool() < bytes) System.gc();
        long free = largestFreePool();
        if (free < bytes) {
            long suggestion = (long) Math.ceil(1.5 * (bytes + Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory())
                    / (1L << 30)) + 1;
            throw new IllegalStateException(String.format(
                    "%s needs %s, but the largest free heap pool has %s (max heap %s); "
                            + "raise the heap, e.g. BIASLAB_JAVA_OPTS=-Xmx%dg",
                    what, gib(bytes), gib(free), gib(Runtime.getRuntime().maxMemory()), suggestion));
        }
    }

    private static long largestFreePool() {
        long largest = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage usage = pool.getUsage();
            if (pool.getType() == MemoryType.HEAP && usage.getMax() > 0) largest = Math.max(largest, usage.getMax() - usage.getUsed());
        }
        return largest;
    }

    private static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.1f GiB", bytes / (double) (1L << 30))
                : String.format("%.1f MiB", bytes / (double) (1L << 20));
    }
}
