package org.biaslab.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The outcome classes of a loader on a fuzzed input: it loaded, or it refused the input with a one-line error that
 * names the file (a {@link org.biaslab.io.FormatException}, an {@link IllegalArgumentException} or an
 * {@link UncheckedIOException} whose message is one line and holds the scratch directory's path). Anything else (an
 * error of another type or with another message, an {@link Error}) is thrown on: the fuzzer reports it as a finding.
 * Counts per loader are kept for the campaign's summary.
 */
final class Outcomes {
    private Outcomes() {}

    enum Outcome { LOADED, ONE_LINE_ERROR }

    /** One loader call. */
    interface Call {
        void run() throws Exception;
    }

    private static final Map<String, AtomicLongArray> COUNTS = new ConcurrentSkipListMap<>();

    /** Runs {@code call}, loader {@code loader} on files in {@code dir}, and classifies its outcome. */
    static Outcome of(String loader, Path dir, Call call) throws Exception {
        Outcome o;
        try {
            call.run();
            o = Outcome.LOADED;
        } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
            String m = e.getMessage();
            if (m == null || m.contains("\n") || m.contains("\r") || !m.contains(dir.toString())) {
                throw new AssertionError(loader + ": not a one-line error naming the file: " + e, e);
            }
            o = Outcome.ONE_LINE_ERROR;
        }
        COUNTS.computeIfAbsent(loader, k -> new AtomicLongArray(Outcome.values().length)).incrementAndGet(o.ordinal());
        return o;
    }

    /** One line per loader: inputs, loaded, one-line errors. */
    static String summary() {
        StringBuilder s = new StringBuilder();
        COUNTS.forEach((loader, c) -> s.append(String.format("%-16s %9d inputs %9d loaded %9d one-line errors%n", loader,
                c.get(0) + c.get(1), c.get(0), c.get(1))));
        return s.toString();
    }
}
