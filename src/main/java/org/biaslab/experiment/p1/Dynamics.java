package org.biaslab.experiment.p1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.probe.DynamicMeasurements;
import org.biaslab.probe.Sharpness;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.report.SweepReport;
import org.biaslab.tensor.DType;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * P1's E3 (docs/papers.md §P1.9.3): PARITY at one length trained with several weight decays and seeds, with no
 * end-of-training measurement; instead, every {@code every} steps, the dynamic measurements (loss, accuracy,
 * sharpness, LN blowup, squared parameter norm) on one fixed batch drawn before training, the sharpness noise
 * re-seeded with the run's seed each time. The report keeps the runs whose final eval loss is below 0.001 and aligns
 * them at convergence ({@link DynamicsAlignment}).
 * P1's finding: sharpness and blowup rise steeply around convergence; afterwards, under weight decay, the weight
 * norm shrinks while the blowup keeps growing.
 *
 * @param n          input length
 * @param sweeps     training lengths, each with its weight decays
 * @param seeds      seeds per (sweep, weight decay)
 * @param base       the training config every run starts from (n, steps, weight decay and seed are set per run)
 * @param every      steps between measurements (P1: 100)
 * @param batch      inputs in the fixed measurement batch (P1: 1024)
 * @param repeats    sharpness noise draws R (P1: 500)
 * @param windowFrom steps after convergence where the blowup–norm trajectory starts (P1: 3000)
 * @param windowTo   … and ends (P1: 10,000)
 */
public record Dynamics(int n, List<Sweep> sweeps, List<Long> seeds, RunConfig base, int every, int batch, int repeats,
                       double windowFrom, double windowTo) {
    /** The data stream of the fixed measurement batch (training uses 0, evaluation 1, end-of-training measurement 2). */
    static final long FIXED_BATCH_STREAM = 3;

    /** Runs of one training length: P1's {@code dynamic_metrics_1} (20,000 steps) and {@code _2} (100,000). */
    public record Sweep(long steps, List<Double> weightDecays) {}

    public Dynamics {
        if (every < 1) throw new IllegalArgumentException("E3: the measurement interval must be positive, got " + every);
        if (!(windowFrom < windowTo)) throw new IllegalArgumentException("E3: the trajectory window " + windowFrom + ".." + windowTo + " is empty");
    }

    /**
     * P1's sweeps: n = 25, 20,000 steps × wd 0, 0.1, 0.2, 0.3 and 100,000 steps × wd 0, 0.1, seeds 0..100, P1's model and
     * training, evaluated over 1000 batches after the last step for the filter; measured every 100 steps on 1024 inputs
     * with R = 500; trajectory window 3000–10,000.
     */
    public static Dynamics full() {
        List<Long> seeds = new ArrayList<>();
        for (long s = 0; s <= 100; s++) seeds.add(s);
        RunConfig base = RunConfig.defaults().with(Map.of("n", 25, "evalEvery", 100_000, "evalBatches", SweepReport.P1_EVAL_BATCHES,
                "checkpointEvery", 1000));
        return new Dynamics(25, List.of(new Sweep(20_000, List.of(0.0, 0.1, 0.2, 0.3)), new Sweep(100_000, List.of(0.0, 0.1))),
                seeds, base, DynamicMeasurements.P1_EVERY, 1024, 500, 3000, 10_000);
    }

    /**
     * A scale-down for two cores: n = 6, where PARITY converges in about 600 steps; wd 0 and 0.1 × 3 seeds, 1000 steps of
     * a d = 32 model with batch 128 at lr 1e-3, the filter's evaluation over 4 batches (P1: 1000); measured every 25 steps
     * on 256 inputs with R = 10; window 100–350.
     */
    public static Dynamics quick() {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 6, "d", 32, "batch", 128, "lr", 1e-3, "maxLen", 64,
                "logEvery", 25, "evalEvery", 1000, "evalBatches", 4, "checkpointEvery", 1000));
        return new Dynamics(6, List.of(new Sweep(1000, List.of(0.0, 0.1))), List.of(0L, 1L, 2L), base, 25, 256, 10, 100, 350);
    }

    /** Every run, in the order of the sweeps, their weight decays and the seeds. */
    public List<RunConfig> runs() {
        List<RunConfig> out = new ArrayList<>();
        for (Sweep s : sweeps) {
            for (double wd : s.weightDecays()) {
                for (long seed : seeds) {
                    out.add(base.with(Map.of("task", "parity", "n", n, "steps", s.steps(), "weightDecay", wd, "seed", seed,
                            "restrictedSeed", seed, "maxLen", Math.max(base.maxLen(), n), "evalEvery", (int) Math.min(s.steps(), base.evalEvery()),
                            "checkpointEvery", (int) Math.min(s.steps(), base.checkpointEvery()))));
                }
            }
        }
        return out;
    }

    /** The directory of a run's group below the experiment's: {@code steps-<steps>/wd-<wd>}. */
    static String group(RunConfig c) {
        return String.format(Locale.ROOT, "steps-%d/wd-%s", c.steps(), c.weightDecay());
    }

    /**
     * Rejects a slice naming a training length no sweep has ({@code steps}: the sweeps' step counts, null for all) or a
     * function, seed or length no run has.
     */
    public void check(Set<Long> steps, RunFilter slice) {
        Set<Long> available = new TreeSet<>();
        for (Sweep s : sweeps) available.add(s.steps());
        for (long k : steps == null ? Set.<Long>of() : steps) {
            if (!available.contains(k)) {
                throw new IllegalArgumentException("E3 has no sweep of " + k + " steps (only "
                        + String.join(", ", available.stream().map(String::valueOf).toList()) + ")");
            }
        }
        slice.check("E3 has", runs());
    }

    /**
     * Trains what is not trained of the sweeps of {@code steps} (null: all) that {@code slice} takes, measuring as it
     * goes, and writes report.html over every run that has a directory; returns each group's summary.
     */
    public List<DynamicsReport.Group> run(Path dir, Set<Long> steps, RunFilter slice, int maxEnsemble, RunQueue.Observer observer)
            throws IOException {
        check(steps, slice);
        List<RunConfig> all = runs();
        List<Trainer.Run> runs = new ArrayList<>();
        for (RunConfig c : all) {
            if ((steps == null || steps.contains(c.steps())) && slice.has(c)) runs.addAll(RunQueue.prepare(dir.resolve(group(c)), List.of(c)));
        }
        for (List<Trainer.Run> members : RunQueue.groups(runs, Math.min(maxEnsemble, membersWhoseNoiseFits(all.getFirst())))) {
            long from = members.get(0).dir().latestStep();
            Trainer trainer = new Trainer(members, observer.starting(members, from));
            trainer.measureEvery(every, measurement(members)::measure).run();
            observer.finished(members);
        }
        List<Trainer.Run> started = new ArrayList<>(); // read as they are, not prepared again
        for (RunConfig c : all) {
            Path run = dir.resolve(group(c)).resolve(c.defaultName());
            if (RunDir.isRun(run)) started.add(new Trainer.Run(c, new RunDir(run)));
        }
        return DynamicsReport.write(dir, this, started, all.size() - started.size());
    }

    /**
     * The most members of runs like {@code c} whose R noise directions each the measurement keeps on the training
     * device ({@link Sharpness#noiseCacheBytes}: P1's d = 128 model perturbs 199,425 values, 0.4 GB at R = 500, so 88
     * members on an H200 and 2 within the CPU's 1 GiB); unlimited where not even one member's fit, since they are then
     * drawn again at every measurement anyway.
     */
    int membersWhoseNoiseFits(RunConfig c) {
        long values = Sharpness.perturbedValues(Trainer.model(c, Init.forLoading(DType.F32)), SharpnessConfig.p1(0));
        long fit = Sharpness.noiseCacheBytes(RunQueue.device()) / (4L * repeats * values);
        return fit == 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, fit);
    }

    /** P1's dynamic measurements of an ensemble: each member's fixed batch, noise re-seeded with its run's seed. */
    DynamicMeasurements measurement(List<Trainer.Run> members) {
        long[] seeds = members.stream().mapToLong(r -> r.config().seed()).toArray();
        List<BitTask> tasks = members.stream().map(r -> Trainer.task(r.config())).toList();
        return new DynamicMeasurements(fixedBatch(tasks, seeds), SharpnessConfig.p1(0).withRepeats(repeats), seeds);
    }

    /** The measurement batch of runs with these tasks and seeds, the same before training and after a resume. */
    Batch fixedBatch(List<BitTask> tasks, long[] seeds) {
        return Sampler.uniform(tasks, seeds, batch).next(0, FIXED_BATCH_STREAM);
    }
}
