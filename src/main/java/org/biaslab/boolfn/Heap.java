package org.biaslab.boolfn;

/** Refuses, with a message that says what to do, an allocation the JVM heap cannot hold. */
final class Heap {
    private Heap() {}

    static void require(long bytes, String what) {
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > available) {
            System.gc();
            available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        if (bytes > available) {
            throw new IllegalStateException(String.format(
                    "%s needs %s of heap but %s is free (max heap %s); raise it, e.g. BIASLAB_JAVA_OPTS=-Xmx%dg",
                    what, gib(bytes), gib(available), gib(rt.maxMemory()),
                    (rt.maxMemory() + bytes - available) / (1L << 30) + 2));
        }
    }

    static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.1f GiB", bytes / (double) (1L << 30))
                : String.format("%.1f MiB", bytes / (double) (1L << 20));
    }
}
