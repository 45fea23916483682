package org.biaslab.experiment.p1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.probe.curvature.CurvatureConfig;
import org.biaslab.report.SweepReport;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * P1's E1 (docs/papers.md §P1.9.1): transformers trained on PARITY, MAJORITY, FIRST and MEAN at a range of input
 * lengths, then measured (sharpness, LayerNorm blowup, parameter norm) at the end of training; the report plots each
 * against the length with mean ± 2 sd over seeds and fits a line per function. Two sweeps: P1's {@code
 * length_scaling_1} (n up to 30, all four functions) and {@code length_scaling_2} (MAJORITY, FIRST and MEAN up to
 * n = 512 with a d = 4 model: low-sensitivity functions stay flat). Converged runs only (eval loss &lt; 0.001), the
 * others counted. Every function of a sweep trains for the same number of steps, as in P1.
 *
 * @param sweeps    the sweeps, each in its own directory and figures
 * @param sharpness the sharpness noise (P1: ε 0.02, R 10, the same directions for every batch)
 * @param curvature the Hessian's top eigenvalue and trace measured beside it (not in P1), or null
 */
public record LengthScaling(List<Sweep> sweeps, SharpnessConfig sharpness, CurvatureConfig curvature) {

    /**
     * One grid of E1: functions × lengths × seeds of one training config, measured on {@code batches} batches of
     * {@code batch} inputs (P1 measures on batches of the training batch size).
     *
     * @param name      the part {@code reproduce p1 --experiments e1-<name>} runs alone: {@code short} or {@code long}
     * @param part      its directory under E1's and the suffix of its figures ("" for E1's own, P1's "higher_len")
     * @param functions target functions
     * @param lengths   input lengths n
     * @param seeds     seeds per (function, length)
     * @param base      the training config every run starts from (task, n and seed are set per run)
     * @param batches   measurement batches (P1: 1000)
     * @param batch     inputs per measurement batch
     */
    public record Sweep(String name, String part, List<String> functions, List<Integer> lengths, List<Long> seeds, RunConfig base,
                        int batches, int batch) {
        /** Every run, each length's runs sharing their architecture and steps (so all its functions and seeds ensemble). */
        public List<RunConfig> runs() {
            List<RunConfig> out = new ArrayList<>();
            for (int n : lengths) {
                for (String f : functions) {
                    for (long seed : seeds) {
                        out.add(base.with(Map.of("task", f, "n", n, "seed", seed, "restrictedSeed", seed, "maxLen", Math.max(base.maxLen(), n))));
                    }
                }
            }
            return out;
        }

        /** The report's heading of the sweep, e.g. "n = 4 … 512, d = 4, batch 128: majority, first, mean". */
        String heading() {
            return "n = " + lengths.getFirst() + " … " + lengths.getLast() + ", d = " + base.d() + ", batch " + base.batch() + ": "
                    + String.join(", ", functions);
        }
    }

    /** P1's lengths of {@code length_scaling_2} ({@code sweeps/length_scaling_2.yaml}). */
    public static final List<Integer> HIGHER_LENGTHS = List.of(4, 31, 57, 84, 111, 138, 164, 191, 218, 245, 271, 298, 325, 352, 378,
            405, 432, 459, 485, 512);

    /**
     * P1's sweeps, 1000 × 1024 (resp. × 128) measurement inputs and P1's final evaluation (1000 batches after the last
     * step) for the filter: {@code length_scaling_1}, n = 4..30 × seeds 0..9 × the four functions with P1's model and
     * training (1,080 runs); {@code length_scaling_2}, n ∈ {@link #HIGHER_LENGTHS} × seeds 0..9 × MAJORITY, FIRST, MEAN
     * with d = 4 and batch 128 (600 runs).
     */
    public static LengthScaling full() {
        List<Integer> n = new ArrayList<>();
        for (int i = 4; i <= 30; i++) n.add(i);
        RunConfig base = RunConfig.defaults().with(Map.of("evalEvery", 10_000, "evalBatches", SweepReport.P1_EVAL_BATCHES));
        return new LengthScaling(List.of(
                new Sweep("short", "", List.of("parity", "majority", "first", "mean"), n, seeds(10), base, 1000, 1024),
                new Sweep("long", "higher_len", List.of("majority", "first", "mean"), HIGHER_LENGTHS, seeds(10),
                        base.with(Map.of("d", 4, "batch", 128)), 1000, 128)),
                SharpnessConfig.p1(0), CurvatureConfig.quick(0));
    }

    /**
     * A scale-down that runs in minutes on two cores, its filter evaluated over 4 batches of 128 (P1: 1000): n = 4..8,
     * 3 seeds, a d = 32 model with batch 128 at lr 1e-3, 1500 steps for every function (PARITY needs them), measured on
     * 8 batches of 512; and the long sweep at n = 4, 16, 32 × 2 seeds with P1's d = 4 model and batch 128 at lr 1e-2,
     * 600 steps, measured on 4 batches of 128 (at n = 64 this d = 4 model learns no FIRST in 1000 steps).
     */
    public static LengthScaling quick() {
        RunConfig base = RunConfig.defaults().with(Map.of("d", 32, "batch", 128, "lr", 1e-3, "steps", 1500, "maxLen", 64,
                "evalEvery", 1500, "evalBatches", 4, "checkpointEvery", 1500, "logEvery", 50));
        RunConfig small = base.with(Map.of("d", 4, "lr", 1e-2, "steps", 600, "evalEvery", 600, "checkpointEvery", 600));
        return new LengthScaling(List.of(
                new Sweep("short", "", List.of("parity", "majority", "first", "mean"), List.of(4, 5, 6, 7, 8), seeds(3), base, 8, 512),
                new Sweep("long", "higher_len", List.of("majority", "first", "mean"), List.of(4, 16, 32), seeds(2), small, 4, 128)),
                SharpnessConfig.p1(0), CurvatureConfig.quick(0));
    }

    private static List<Long> seeds(int count) {
        List<Long> s = new ArrayList<>();
        for (long i = 0; i < count; i++) s.add(i);
        return s;
    }

    /**
     * Which runs to train and measure: those of the sweeps named (null: every one) that {@code runs} takes. The report
     * covers every run of the grid trained so far, so slices run one after another add up to the whole.
     */
    public record Slice(Set<String> sweeps, RunFilter runs) {
        /** Every run of the grid. */
        public static final Slice ALL = new Slice(null, RunFilter.ALL);

        /** Whether the slice runs sweep {@code s}. */
        public boolean has(Sweep s) {
            return sweeps == null || sweeps.contains(s.name());
        }

        /** Whether the slice runs {@code c} (of a sweep it runs). */
        public boolean has(RunConfig c) {
            return runs.has(c);
        }
    }

    /** Every run of the sweeps, in order. */
    public List<RunConfig> runs() {
        return sweeps.stream().flatMap(s -> s.runs().stream()).toList();
    }

    /**
     * Trains what is not trained and measures what is not measured in {@code slice}, and writes the report of every
     * run of the grid that has a directory; returns its path and a summary line per sweep.
     */
    public Outcome run(Path dir, Slice slice, int maxEnsemble, RunQueue.Observer observer, MeasurementProgress progress) throws IOException {
        check(slice);
        List<SweepReport.Part> parts = new ArrayList<>();
        List<String> lines = new ArrayList<>(), notStarted = new ArrayList<>();
        for (Sweep s : sweeps) {
            Path sweepDir = dir.resolve(s.part());
            List<RunConfig> chosen = slice.has(s) ? s.runs().stream().filter(slice::has).toList() : List.of();
            List<Trainer.Run> runs = RunQueue.prepare(sweepDir, chosen);
            RunQueue.train(runs, maxEnsemble, observer);
            FinalMeasurements.Plan plan = new FinalMeasurements.Plan(true, sharpness, sharpness.exclude(), curvature);
            RunMeasurements.measureAll(runs, plan, s.batches(), s.batch(), maxEnsemble, progress);
            List<Path> dirs = s.runs().stream().map(c -> sweepDir.resolve(c.defaultName())).filter(RunDir::isRun).toList();
            int missing = s.runs().size() - dirs.size();
            if (missing > 0) notStarted.add(s.heading() + ": " + SweepReport.notStarted(missing, s.runs().size(), "sweep"));
            if (dirs.isEmpty()) continue;
            parts.add(new SweepReport.Part(sweeps.size() > 1 ? s.heading() : null, s.part().isEmpty() ? "" : "_" + s.part(), dirs));
            lines.add(SweepReport.summary("E1 " + s.name() + " (" + s.heading() + ")", dirs));
        }
        Path report = SweepReport.writeParts(dir, parts, "Hahn & Rofin E1: sharpness, LayerNorm blowup and parameter norm against input length",
                notStarted);
        return new Outcome(report, String.join("\n", lines));
    }

    /** Rejects a slice naming a sweep the grid does not have, or a function, seed or length none of its sweeps has. */
    public void check(Slice slice) {
        Set<String> names = new LinkedHashSet<>();
        List<RunConfig> chosen = new ArrayList<>();
        for (Sweep s : sweeps) {
            names.add(s.name());
            if (slice.has(s)) chosen.addAll(s.runs());
        }
        for (String n : slice.sweeps() == null ? Set.<String>of() : slice.sweeps()) {
            if (!names.contains(n)) throw new IllegalArgumentException("E1 has no sweep '" + n + "' (it has " + String.join(", ", names) + ")");
        }
        slice.runs().check("E1's sweeps chosen have", chosen);
    }

    /** The report written and its summary, one line per sweep. */
    public record Outcome(Path report, String line) {}
}
