package org.biaslab.experiment.p1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.report.SweepReport;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * P1's E4 (docs/papers.md §P1.9.4): the encoder-decoder scratchpad model trained on PARITY's prefix parities at a range of
 * lengths, then measured as in E1 (sharpness, encoder and decoder LayerNorm blowup, parameter norm, autoregressive
 * accuracy). Only runs that decode greedily with accuracy &gt; 0.999 enter the figures. P1's finding: with the
 * scratchpad, sharpness does not grow with n (each output bit depends on two inputs), unlike E1's PARITY.
 *
 * @param lengths   input lengths n
 * @param seeds     seeds per length
 * @param base      the training config every run starts from (scratchpad on; n and seed are set per run)
 * @param batches   measurement batches (P1: 1000)
 * @param batch     inputs per measurement batch (P1: the training batch, 128)
 * @param sharpness the sharpness noise (P1: ε 0.02, R 10, the same directions for every batch)
 */
public record Scratchpad(List<Integer> lengths, List<Long> seeds, RunConfig base, int batches, int batch, SharpnessConfig sharpness) {
    /** P1's filter for scratchpad runs: greedy decoding right on more than this share of the output bits. */
    public static final double MIN_AUTOREGRESSIVE_ACCURACY = 0.999;

    /**
     * P1's grid ({@code scratchpad.yaml}): 30 lengths 4…1024 × seeds 0..9, d = 32, batch 128, P1's training otherwise
     * (evaluated over 1000 batches after the last step); measured as P1 does, on 1000 batches of the training batch, 128.
     */
    public static Scratchpad full() {
        List<Integer> n = List.of(4, 39, 74, 109, 144, 179, 215, 250, 285, 320, 355, 390, 426, 461, 496, 531, 566, 601, 637, 672,
                707, 742, 777, 812, 848, 883, 918, 953, 988, 1024);
        List<Long> seeds = new ArrayList<>();
        for (long s = 0; s < 10; s++) seeds.add(s);
        return new Scratchpad(n, seeds, RunConfig.defaults().with(Map.of("scratchpad", true, "d", 32, "batch", 128, "evalEvery", 10_000,
                "evalBatches", SweepReport.P1_EVAL_BATCHES)), 1000, 128, SharpnessConfig.p1(0));
    }

    /**
     * A scale-down for two cores: n = 4, 8, 12 × 2 seeds, 250 steps of P1's d = 32 model with batch 128 at lr 2e-3,
     * measured on 6 batches of 128 (the training batch, as P1).
     */
    public static Scratchpad quick() {
        RunConfig base = RunConfig.defaults().with(Map.of("scratchpad", true, "d", 32, "batch", 128, "lr", 2e-3, "steps", 250,
                "maxLen", 64, "logEvery", 50, "evalEvery", 250, "evalBatches", 2, "checkpointEvery", 250));
        return new Scratchpad(List.of(4, 8, 12), List.of(0L, 1L), base, 6, 128, SharpnessConfig.p1(0));
    }

    /** Every run: each length's seeds share their architecture (so they ensemble). */
    public List<RunConfig> runs() {
        List<RunConfig> out = new ArrayList<>();
        for (int n : lengths) {
            for (long seed : seeds) {
                out.add(base.with(Map.of("scratchpad", true, "n", n, "seed", seed, "restrictedSeed", seed, "maxLen", Math.max(base.maxLen(), n))));
            }
        }
        return out;
    }

    /** Whether a run's measurements pass P1's filter (autoregressive accuracy &gt; 0.999). */
    public static boolean kept(Map<String, Object> measurements) {
        return measurements.get("measure/autoregressive_accuracy") instanceof Number a && a.doubleValue() > MIN_AUTOREGRESSIVE_ACCURACY;
    }

    /** Rejects a slice naming a seed or length the grid does not have (or a function: E4 has PARITY alone). */
    public void check(RunFilter slice) {
        slice.check("E4 has", runs());
    }

    /**
     * Trains what is not trained and measures what is not measured, for the runs {@code slice} takes, and writes
     * report.html over every run that has a directory; returns the outcome.
     */
    public ScratchpadReport.Outcome run(Path dir, RunFilter slice, int maxEnsemble, RunQueue.Observer observer,
                                        MeasurementProgress progress) throws IOException {
        check(slice);
        List<RunConfig> all = runs();
        List<Trainer.Run> runs = RunQueue.prepare(dir, all.stream().filter(slice::has).toList());
        RunQueue.train(runs, maxEnsemble, observer);
        FinalMeasurements.Plan plan = new FinalMeasurements.Plan(true, sharpness, sharpness.exclude());
        RunMeasurements.measureAll(runs, plan, batches, batch, maxEnsemble, progress);
        List<Trainer.Run> started = all.stream().map(c -> new Trainer.Run(c, new RunDir(dir.resolve(c.defaultName()))))
                .filter(r -> RunDir.isRun(r.dir().path())).toList(); // read as they are, not prepared again
        return ScratchpadReport.write(dir, started, all.size() - started.size());
    }
}
