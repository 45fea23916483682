package org.biaslab.tensor;

import java.util.function.Supplier;

/** Chooses the backend for a device; tests can run a block on the plain-loop reference kernels instead. */
public final class Kernels {
    private static final ThreadLocal<Backend> OVERRIDE = new ThreadLocal<>();

    private Kernels() {}

    static Backend of(Device device) {
        if (device == Device.CUDA) return CudaBackend.instance();
        Backend b = OVERRIDE.get();
        return b != null ? b : CpuBackend.INSTANCE;
    }

    /** Runs {@code body} with every CPU op on this thread computed by {@link ReferenceBackend}. */
    public static <T> T withReference(Supplier<T> body) {
        return with(ReferenceBackend.INSTANCE, body);
    }

    /** Runs {@code body} with every CPU op on this thread computed by {@code backend} (tests: oracles, op counts). */
    static <T> T with(Backend backend, Supplier<T> body) {
        Backend previous = OVERRIDE.get();
        OVERRIDE.set(backend);
        try {
            return body.get();
        } finally {
            OVERRIDE.set(previous);
        }
    }
}
