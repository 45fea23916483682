package org.biaslab.tensor;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recycled float32 arrays, so that ops whose kernels write every element of their output skip the JVM's zeroing
 * of a fresh array (an ensemble's P1 step allocates some 80 arrays of 84 MB, zeroed on one thread at memory
 * bandwidth). Arrays enter only from a backward pass that proves them dead ({@link Pass}): storages it allocated
 * itself that no gradient it still holds or hands out shares. Forward activations, seeds, leaves' gradients and
 * anything a caller can reach never enter. The pool holds its arrays softly (the collector may take them back
 * rather than run out of memory) and at most a quarter of the heap.
 *
 * <p>{@code -Dbiaslab.reuse=false} turns recycling off (to measure with and without in one build).
 */
final class ArrayPool {
    /** Smaller arrays are cheap to allocate and zero in a thread's allocation buffer. */
    static final int MIN = 1 << 16;
    private static final long CAP = Runtime.getRuntime().maxMemory() / 4;
    /** Whether storages are recycled; package-visible so that tests compare runs with and without. */
    static volatile boolean enabled = !"false".equals(System.getProperty("biaslab.reuse"));

    private static final Map<Integer, ArrayDeque<SoftReference<float[]>>> FREE = new HashMap<>();
    private static long bytes;
    private static final ThreadLocal<Pass> PASS = new ThreadLocal<>();

    private ArrayPool() {}

    /** A recycled array of exactly n floats with arbitrary contents, or null. */
    static float[] take(int n) {
        if (n < MIN || !enabled) return null;
        synchronized (FREE) {
            ArrayDeque<SoftReference<float[]>> free = FREE.get(n);
            while (free != null && !free.isEmpty()) {
                float[] a = free.pop().get();
                bytes -= 4L * n;
                if (a != null) return a;
            }
            return null;
        }
    }

    /** Offers an array that nothing references any more. */
    static void give(float[] a) {
        if (a.length < MIN || !enabled) return;
        synchronized (FREE) {
            if (bytes + 4L * a.length > CAP) purgeCleared();
            if (bytes + 4L * a.length > CAP) return;
            FREE.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(new SoftReference<>(a));
            bytes += 4L * a.length;
        }
    }

    /** Drops every array the pool holds. */
    static void clear() {
        synchronized (FREE) {
            FREE.clear();
            bytes = 0;
        }
    }

    /** Forgets arrays the collector has taken back, so that they stop counting against the cap. */
    private static void purgeCleared() {
        long total = 0;
        for (ArrayDeque<SoftReference<float[]>> free : FREE.values()) {
            for (Iterator<SoftReference<float[]>> it = free.iterator(); it.hasNext(); ) {
                float[] a = it.next().get();
                if (a == null) it.remove();
                else total += 4L * a.length;
            }
        }
        bytes = total;
    }

    /** Notes a new storage for the backward pass running on this thread, if any. */
    static void created(Storage s) {
        Pass pass = PASS.get();
        if (pass != null && s.f32 != null && s.f32.length >= MIN) pass.created.add(s);
    }

    /**
     * Opens a backward pass on this thread: the float32 storages allocated until it closes are candidates for the
     * pool. A pass that records its own tape (second derivatives) must not open one: its gradients stay reachable
     * from the tape.
     */
    static Pass open() {
        Pass pass = new Pass(PASS.get());
        PASS.set(pass);
        return pass;
    }

    /** The storages a backward pass has allocated and not yet recycled. */
    static final class Pass implements AutoCloseable {
        private final Pass outer;
        private final List<Storage> created = new ArrayList<>();

        private Pass(Pass outer) {
            this.outer = outer;
        }

        /**
         * Recycles every storage this pass allocated that is not in {@code live}. The caller vouches that nothing
         * else references them: no tensor outside the pass saw them, and {@code live} holds the storages of every
         * tensor the pass still holds or has handed out.
         */
        void recycleAllBut(Set<Storage> live) {
            if (!enabled) {
                created.clear();
                return;
            }
            int kept = 0;
            for (Storage s : created) {
                if (live.contains(s)) created.set(kept++, s);
                else give(s.f32);
            }
            created.subList(kept, created.size()).clear();
        }

        @Override
        public void close() {
            PASS.set(outer);
        }
    }
}
