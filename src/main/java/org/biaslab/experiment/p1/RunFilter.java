package org.biaslab.experiment.p1;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.biaslab.train.RunConfig;

/**
 * Which runs of a grid a slice trains and measures: those of the functions, seeds and lengths named, null for any.
 * Slices run one after another (or on copies of the directory) add up to the whole grid; each report covers every run
 * trained so far.
 */
public record RunFilter(Set<String> functions, Set<Long> seeds, Set<Integer> lengths) {
    /** Every run. */
    public static final RunFilter ALL = new RunFilter(null, null, null);
    /** No run: a report of what is there, training and measuring nothing. */
    public static final RunFilter NONE = new RunFilter(Set.of(), Set.of(), Set.of());

    /** Whether the slice runs {@code c}. */
    public boolean has(RunConfig c) {
        return (functions == null || functions.contains(c.task())) && (seeds == null || seeds.contains(c.seed()))
                && (lengths == null || lengths.contains(c.n()));
    }

    /**
     * Rejects a function, seed or length that no run of {@code grid} has, e.g. "E2's search has no length 7 (only 4,
     * 8)"; {@code subject} starts the message ("E2's search has").
     */
    public void check(String subject, Collection<RunConfig> grid) {
        checkIn(subject, "function", functions, grid, RunConfig::task);
        checkIn(subject, "seed", seeds, grid, RunConfig::seed);
        checkIn(subject, "length", lengths, grid, RunConfig::n);
    }

    private static <T> void checkIn(String subject, String what, Set<T> chosen, Collection<RunConfig> grid, Function<RunConfig, T> key) {
        if (chosen == null) return;
        Set<T> available = new LinkedHashSet<>();
        for (RunConfig c : grid) available.add(key.apply(c));
        for (T v : chosen) {
            if (!available.contains(v)) {
                throw new IllegalArgumentException(subject + " no " + what + " " + v + " (only "
                        + String.join(", ", new TreeSet<>(available).stream().map(String::valueOf).toList()) + ")");
            }
        }
    }
}
