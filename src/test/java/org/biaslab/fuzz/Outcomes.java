package org.biaslab.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The outcome classes of a loader on a fuzzed input: it loaded, or it refused the input with a one-line error that
 * names the file (a {@link org.biaslab.io.FormatException}, an {@link IllegalArgumentException} or an
 * {@link UncheckedIOException} whose message is one line and holds the scratch directory's path). Anything else (an
 * error of another type or with another message, an {@link Error}) is counted and thrown on: the fuzzer reports it
 * as a finding, told apart from others by where it was thrown. Counts per loader, by outcome and exception type, and the slowest call are kept for the campaign's
 * summary.
 */
final class Outcomes {
    private Outcomes() {}

    enum Outcome { LOADED, ONE_LINE_ERROR }

    /** One loader call. */
    interface Call {
        void run() throws Exception;
    }

    /** One loader's counts: accepted inputs, rejections and other outcomes by exception type, the slowest call. */
    private static final class Tally {
        long accepted;
        final Map<String, Long> rejected = new TreeMap<>(), other = new TreeMap<>();
        long slowestNanos;

        /** Counts one call that took {@code nanos}: in {@code by} (rejected, other) under {@code type} if given. */
        synchronized void add(Map<String, Long> by, String type, long nanos) {
            if (by == null) accepted++;
            else by.merge(type, 1L, Long::sum);
            slowestNanos = Math.max(slowestNanos, nanos);
        }

        synchronized String line(String loader) {
            long rejections = rejected.values().stream().mapToLong(Long::longValue).sum();
            long others = other.values().stream().mapToLong(Long::longValue).sum();
            return String.format("%-16s %8d inputs %8d accepted %8d rejected %s %4d other %s slowest %.0f ms%n", loader,
                    accepted + rejections + others, accepted, rejections, rejected, others, other, slowestNanos / 1e6);
        }
    }

    private static final Map<String, Tally> TALLIES = new ConcurrentSkipListMap<>();

    /**
     * Runs {@code call}, loader {@code loader} on files in {@code dir}, and classifies its outcome; an outcome of
     * neither class is counted and thrown on: as it was thrown, or as an {@link AssertionError} for a message that is
     * not one line naming the file.
     */
    static Outcome of(String loader, Path dir, Call call) throws Exception {
        Tally tally = TALLIES.computeIfAbsent(loader, k -> new Tally());
        long start = System.nanoTime();
        try {
            call.run();
            tally.add(null, null, System.nanoTime() - start);
            return Outcome.LOADED;
        } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
            String m = e.getMessage(), type = e.getClass().getSimpleName();
            String flaw = m == null || !m.contains(dir.toString()) ? " without the file"
                    : m.contains("\n") || m.contains("\r") ? " on several lines" : "";
            tally.add(flaw.isEmpty() ? tally.rejected : tally.other, type + flaw, System.nanoTime() - start);
            if (!flaw.isEmpty()) throw new AssertionError(loader + ": not a one-line error naming the file: " + e, e);
            return Outcome.ONE_LINE_ERROR;
        } catch (Exception | Error e) {
            tally.add(tally.other, e.getClass().getSimpleName(), System.nanoTime() - start);
            throw e;
        }
    }

    /** One line per loader: inputs, accepted, rejected and other outcomes (each by exception type), the slowest call. */
    static String summary() {
        StringBuilder s = new StringBuilder();
        TALLIES.forEach((loader, t) -> s.append(t.line(loader)));
        return s.toString();
    }
}
