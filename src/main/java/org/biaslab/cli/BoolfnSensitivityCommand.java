package org.biaslab.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.boolfn.BooleanFunction;
import org.biaslab.boolfn.Estimate;
import org.biaslab.boolfn.FourierSpectrum;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.boolfn.Input;
import org.biaslab.boolfn.RealFunction;
import org.biaslab.boolfn.SampledSensitivity;
import org.biaslab.boolfn.SensitivityProfile;
import org.biaslab.boolfn.TruthTable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code biaslab boolfn sensitivity}: average and maximum sensitivity, influences and the histogram of s(x). */
@Command(name = "sensitivity", mixinStandardHelpOptions = true,
        description = {"Average sensitivity as_n(f), influences Inf_i, max sensitivity and the histogram of s(x, f).",
                "Exact when the function fits (Boolean n <= 32, real-valued n <= 26), else sampled; influences are "
                        + "printed for n <= 32 when sampled (always in --json)."})
final class BoolfnSensitivityCommand implements Callable<Integer> {
    private static final long DEFAULT_SAMPLES = 10_000;
    private static final int PRINTED_INFLUENCES = 32;   // more go to --json only
    /** Word operations (about a second's work) above which a computation shows a progress bar. */
    private static final double LONG_WORK = 1e9;

    @Mixin
    BoolfnCommand.Input input;

    @ArgGroup(exclusive = true)
    Mode mode;

    static final class Mode {
        @Option(names = "--exact", description = "Exact, over all 2^n inputs.")
        boolean exact;

        @Option(names = "--samples", paramLabel = "K", description = "Estimate from K random inputs, with 95% intervals.")
        Long samples;
    }

    @Option(names = "--method", paramLabel = "M", defaultValue = "flips",
            description = "Exact method: flips (definition, word-level), wht (sum_S |S| ghat(S)^2, 4*2^n bytes), both. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampled inputs. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!List.of("flips", "wht", "both").contains(method)) {
            throw new IllegalArgumentException("--method " + method + " is not flips, wht or both");
        }
        List<Record> results = new ArrayList<>();
        for (FunctionCatalog.Named named : input.functions()) results.add(measure(named));
        if (input.json) BoolfnCommand.printJson(results);
        else results.forEach(BoolfnSensitivityCommand::print);
        return 0;
    }

    /** The exact measures; the fields of a method not run are null (and left out of the JSON). */
    record Exact(String function, int n, String method, Double averageSensitivity, Double averageSensitivityWalshHadamard,
                 Double maxSensitivity, double[] influence, long[] histogram, double seconds) {}

    /** The sampled estimates, each with its 95% interval. */
    record Sampled(String function, int n, String method, long samples, long seed, Interval averageSensitivity,
                   List<Interval> influence, double seconds) {}

    record Interval(double mean, double lower, double upper) {
        Interval(Estimate e) {
            this(e.mean(), e.lower(), e.upper());
        }
    }

    private Record measure(FunctionCatalog.Named named) {
        RealFunction f = named.function();
        int n = f.n();
        boolean bool = f instanceof BooleanFunction;
        int exactLimit = bool ? TruthTable.MAX_N : SensitivityProfile.MAX_REAL_N;
        long start = System.nanoTime();
        if (mode == null ? n > exactLimit : !mode.exact) {
            long samples = mode != null ? mode.samples : DEFAULT_SAMPLES;
            SampledSensitivity s;
            try (ProgressBar bar = (double) samples * (n + 1) * Input.words(n) > LONG_WORK ? Progress.bar(named.name() + " sampled", samples) : null) {
                s = SampledSensitivity.estimate(f, samples, seed, bar == null ? done -> { } : bar::stepBy);
            }
            return new Sampled(named.name(), n, "sampled", samples, seed, new Interval(s.averageSensitivity()),
                    Arrays.stream(s.influence()).map(Interval::new).toList(), seconds(start));
        }
        if (n > exactLimit) {
            throw new IllegalArgumentException("n = " + n + " is above " + exactLimit + " for exact work on "
                    + (bool ? "a Boolean" : "a real-valued") + " function; use --samples K");
        }
        TruthTable table = bool ? TruthTable.of((BooleanFunction) f) : null;
        SensitivityProfile p = null;
        if (!method.equals("wht") && !bool) p = SensitivityProfile.of(f);
        if (!method.equals("wht") && bool) {
            long words = TruthTable.bytes(n) / 8;
            try (ProgressBar bar = (double) words * n > LONG_WORK ? Progress.bar(named.name() + " bit flips", words) : null) {
                p = SensitivityProfile.of(table, bar == null ? done -> { } : bar::stepBy);
            }
        }
        FourierSpectrum s = method.equals("flips") ? null : bool ? FourierSpectrum.of(table, 0) : FourierSpectrum.of(f, 0);
        return new Exact(named.name(), n, "exact, " + switch (method) {
            case "flips" -> "bit flips";
            case "wht" -> "Walsh-Hadamard";
            default -> "bit flips and Walsh-Hadamard";
        }, p == null ? null : p.averageSensitivity(), s == null ? null : s.averageSensitivity(),
                p == null ? null : p.maxSensitivity(), p == null ? null : p.influence(),
                p == null || !bool ? null : p.histogram(), seconds(start));
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void print(Record result) {
        switch (result) {
            case Exact r -> {
                System.out.printf("%s, n = %d: %s, %.3f s%n", r.function(), r.n(), r.method(), r.seconds());
                if (r.averageSensitivity() != null) System.out.println("  average sensitivity  " + BoolfnCommand.number(r.averageSensitivity()));
                if (r.averageSensitivityWalshHadamard() != null) {
                    System.out.println("  by Walsh-Hadamard    " + BoolfnCommand.number(r.averageSensitivityWalshHadamard()));
                }
                if (r.maxSensitivity() != null) System.out.println("  max sensitivity      " + BoolfnCommand.number(r.maxSensitivity()));
                if (r.influence() != null) {
                    System.out.println("  i     influence Inf_i");
                    for (int i = 0; i < r.n(); i++) System.out.printf("  %-5d %s%n", i + 1, BoolfnCommand.number(r.influence()[i]));
                }
                if (r.histogram() != null) {
                    System.out.println("  s(x)  inputs x         fraction");
                    for (int k = 0; k <= r.n(); k++) {
                        long h = r.histogram()[k];
                        if (h != 0) System.out.printf("  %-5d %-16d %.6g%n", k, h, h / Math.scalb(1.0, r.n()));
                    }
                }
            }
            case Sampled r -> {
                System.out.printf("%s, n = %d: sampled, %d inputs, seed %d, %.3f s%n", r.function(), r.n(), r.samples(),
                        r.seed(), r.seconds());
                System.out.printf("  average sensitivity  %.6f   95%% interval %.6f .. %.6f%n", r.averageSensitivity().mean(),
                        r.averageSensitivity().lower(), r.averageSensitivity().upper());
                if (r.n() <= PRINTED_INFLUENCES) {
                    System.out.println("  i     influence Inf_i   95% interval");
                    for (int i = 0; i < r.n(); i++) {
                        Interval e = r.influence().get(i);
                        System.out.printf("  %-5d %.6f          %.6f .. %.6f%n", i + 1, e.mean(), e.lower(), e.upper());
                    }
                }
            }
            default -> throw new IllegalStateException("no printer for " + result);
        }
    }
}
