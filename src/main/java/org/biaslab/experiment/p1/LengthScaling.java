package org.biaslab.experiment.p1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.probe.curvature.CurvatureConfig;
import org.biaslab.report.SweepReport;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * P1's E1 (docs/papers.md §P1.9.1): transformers trained on PARITY, MAJORITY, FIRST and MEAN at a range of input
 * lengths, then measured (sharpness, LayerNorm blowup, parameter norm) at the end of training; the report plots each
 * against the length with mean ± 2 sd over seeds and fits a line per function. Converged runs only (eval loss
 * < 0.001), the others counted.
 *
 * @param functions   target functions
 * @param lengths     input lengths n
 * @param seeds       seeds per (function, length)
 * @param base        the training config every run starts from (task, n and seed are set per run)
 * @param paritySteps training steps for PARITY, which needs more than the others
 * @param batches     measurement batches (P1: 1000)
 * @param batch       inputs per measurement batch (P1: 1024)
 * @param sharpness   the sharpness noise (P1: ε 0.02, R 10, the same directions for every batch)
 * @param curvature   the Hessian's top eigenvalue and trace measured beside it (not in P1), or null
 */
public record LengthScaling(List<String> functions, List<Integer> lengths, List<Long> seeds, RunConfig base,
                            long paritySteps, int batches, int batch, SharpnessConfig sharpness, CurvatureConfig curvature) {

    /** P1's grid: n = 4..30 × seeds 0..9 × the four functions, P1's model and training, 1000 × 1024 measurement inputs. */
    public static LengthScaling full() {
        List<Integer> n = new ArrayList<>();
        for (int i = 4; i <= 30; i++) n.add(i);
        return new LengthScaling(List.of("parity", "majority", "first", "mean"), n, seeds(10), RunConfig.defaults(), 10_000,
                1000, 1024, SharpnessConfig.p1(0), CurvatureConfig.quick(0));
    }

    /**
     * A scale-down that runs in minutes on two cores: n = 4..8, 3 seeds, a d = 32 model with batch 128 at lr 1e-3,
     * 500 steps (PARITY 1500), measured on 8 batches of 512.
     */
    public static LengthScaling quick() {
        RunConfig base = RunConfig.defaults().with(Map.of("d", 32, "batch", 128, "lr", 1e-3, "steps", 500, "maxLen", 64,
                "evalEvery", 500, "evalBatches", 4, "checkpointEvery", 500, "logEvery", 50));
        return new LengthScaling(List.of("parity", "majority", "first", "mean"), List.of(4, 5, 6, 7, 8), seeds(3), base, 1500,
                8, 512, SharpnessConfig.p1(0), CurvatureConfig.quick(0));
    }

    private static List<Long> seeds(int count) {
        List<Long> s = new ArrayList<>();
        for (long i = 0; i < count; i++) s.add(i);
        return s;
    }

    /** Every run of the grid, each function's runs at one length sharing their architecture (so they ensemble). */
    public List<RunConfig> runs() {
        List<RunConfig> out = new ArrayList<>();
        for (int n : lengths) {
            for (String f : functions) {
                for (long seed : seeds) {
                    long steps = f.equals("parity") ? paritySteps : base.steps();
                    out.add(base.with(Map.of("task", f, "n", n, "seed", seed, "restrictedSeed", seed, "steps", steps,
                            "evalEvery", (int) Math.min(steps, base.evalEvery() * steps / base.steps()),
                            "checkpointEvery", (int) steps, "maxLen", Math.max(base.maxLen(), n))));
                }
            }
        }
        return out;
    }

    /** Trains what is not trained, measures what is not measured, and writes the report; returns its path. */
    public Outcome run(Path dir, int maxEnsemble, RunQueue.Observer observer, Progress progress) throws IOException {
        List<Trainer.Run> runs = RunQueue.prepare(dir, runs());
        RunQueue.train(runs, maxEnsemble, observer);
        FinalMeasurements.Plan plan = new FinalMeasurements.Plan(true, sharpness, sharpness.exclude(), curvature);
        List<Path> dirs = RunMeasurements.measureAll(runs, plan, batches, batch, maxEnsemble, progress);
        Path report = SweepReport.write(dir, dirs, "Hahn & Rofin E1: sharpness, LayerNorm blowup and parameter norm against input length",
                List.of());
        return new Outcome(report, SweepReport.summary(dirs));
    }

    /** The report written and its one-line summary. */
    public record Outcome(Path report, String line) {}

    /** Reports which run is being measured. */
    @FunctionalInterface
    public interface Progress {
        void measuring(int index, int total, Path run);
    }
}
