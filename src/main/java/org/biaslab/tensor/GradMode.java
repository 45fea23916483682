package org.biaslab.tensor;

/** Per-thread switch for recording the autodiff tape; {@code try (var s = GradMode.off()) {...}} is a no-grad scope. */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    /** Whether ops on this thread record their backward functions. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Disables recording until the returned scope is closed. */
    public static Scope off() {
        return set(false);
    }

    /** Enables recording until the returned scope is closed (used for higher-order derivatives). */
    public static Scope on() {
        return set(true);
    }

    private static Scope set(boolean value) {
        boolean[] state = ENABLED.get();
        boolean previous = state[0];
        state[0] = value;
        return () -> state[0] = previous;
    }

    /** Restores the previous mode when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
