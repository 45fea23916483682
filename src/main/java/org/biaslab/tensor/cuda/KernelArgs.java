package org.biaslab.tensor.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The parameters of one kernel launch, written into a per-thread native buffer: cuLaunchKernel reads them through
 * an array of pointers, one per parameter, and copies them before it returns, so the buffer is reused.
 */
public final class KernelArgs {
    private static final int MAX_ARGS = 32;
    private static final ThreadLocal<KernelArgs> CURRENT = ThreadLocal.withInitial(KernelArgs::new);

    private final MemorySegment buffer = Arena.ofAuto().allocate(MAX_ARGS * 8 + 4096, 16);
    private int count;
    private long offset;

    private KernelArgs() {}

    /** This thread's argument buffer, emptied. */
    public static KernelArgs start() {
        KernelArgs a = CURRENT.get();
        a.count = 0;
        a.offset = MAX_ARGS * 8;
        return a;
    }

    private MemorySegment next(long bytes) {
        if (count == MAX_ARGS || offset + bytes > buffer.byteSize()) throw new IllegalStateException("kernel: too many parameters");
        MemorySegment slot = buffer.asSlice(offset, bytes);
        buffer.set(JAVA_LONG, count * 8L, slot.address());
        count++;
        offset += (bytes + 7) & ~7L;
        return slot;
    }

    /** A device pointer, or a 64-bit integer. */
    public KernelArgs ptr(long v) {
        next(8).set(JAVA_LONG, 0, v);
        return this;
    }

    public KernelArgs i32(int v) {
        next(4).set(JAVA_INT, 0, v);
        return this;
    }

    public KernelArgs f32(float v) {
        next(4).set(JAVA_FLOAT, 0, v);
        return this;
    }

    /** A struct passed by value, as its bytes (ints and floats, 4-byte aligned). */
    public KernelArgs struct(int[] words) {
        MemorySegment s = next(words.length * 4L);
        for (int i = 0; i < words.length; i++) s.set(JAVA_INT, i * 4L, words[i]);
        return this;
    }

    long pointers() {
        return buffer.address();
    }
}
