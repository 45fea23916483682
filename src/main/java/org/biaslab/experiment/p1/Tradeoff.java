package org.biaslab.experiment.p1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.ParameterNorm;
import org.biaslab.report.SweepReport;
import org.biaslab.report.TradeoffReport;
import org.biaslab.tensor.Rng;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * P1's E2 (docs/papers.md §P1.9.2): a random search over input length, function, weight decay, learning rate and seed;
 * after training, the LayerNorm blowup and parameter norm of each converged run. Corollary 5 predicts a tradeoff:
 * PARITY needs a large norm or a large blowup, more so as n grows, while low-sensitivity functions need neither.
 *
 * <p>The search is drawn from a generator seeded with {@code searchSeed} (one stream per sweep), so a reproduction
 * draws the same runs every time and an interrupted one resumes. Runs at the same length train together as one
 * ensemble, each member with its own learning rate and weight decay.
 *
 * @param sweeps      the random searches (P1: four)
 * @param lr          learning rates, drawn uniformly
 * @param weightDecay weight decays, drawn uniformly
 * @param base        the training config every run starts from
 * @param panels      the lengths of the 2×2 figure (P1: 5, 10, 15, 20)
 * @param batches     measurement batches (P1: 1000)
 * @param batch       inputs per measurement batch (P1: 1024)
 * @param searchSeed  seed of the random search
 */
public record Tradeoff(List<Sweep> sweeps, Range lr, Range weightDecay, RunConfig base, List<Integer> panels,
                       int batches, int batch, long searchSeed) {

    /** A closed interval [min, max]. */
    public record Range(double min, double max) {
        public Range {
            if (!(min <= max)) throw new IllegalArgumentException("range: min " + min + " exceeds max " + max);
        }
    }

    /**
     * One random search, as a W&B sweep with {@code method: random}: each run draws a function and a length uniformly
     * from the lists and a seed uniformly from seedMin..seedMax.
     */
    public record Sweep(String name, int runs, List<String> functions, List<Integer> lengths, long seedMin, long seedMax) {
        public Sweep {
            if (runs < 0) throw new IllegalArgumentException("sweep " + name + ": runs must be >= 0, got " + runs);
            if (functions.isEmpty() || lengths.isEmpty()) throw new IllegalArgumentException("sweep " + name + ": needs functions and lengths");
            if (seedMin > seedMax) throw new IllegalArgumentException("sweep " + name + ": seedMin " + seedMin + " exceeds seedMax " + seedMax);
        }
    }

    private static final List<String> LOW_SENSITIVITY = List.of("majority", "first", "mean");
    private static final List<String> ALL = List.of("parity", "majority", "first", "mean");

    /**
     * P1's four sweeps (1000 + 1000 + 500 + 500 runs) with P1's model and training, evaluated over 1000 batches after the
     * last step for the filter; meant for a GPU.
     */
    public static Tradeoff full() {
        List<Integer> range = new ArrayList<>();
        for (int n = 4; n <= 25; n++) range.add(n);
        List<Integer> four = List.of(5, 10, 15, 20);
        return new Tradeoff(List.of(
                new Sweep("tradeoff_1", 1000, LOW_SENSITIVITY, range, 0, 1000),
                new Sweep("tradeoff_2", 1000, List.of("parity"), range, 0, 1000),
                new Sweep("tradeoff_3", 500, ALL, four, 0, 1000),
                new Sweep("tradeoff_4", 500, ALL, four, 1001, 2000)),
                new Range(1e-4, 5e-4), new Range(0, 0.4), RunConfig.defaults().with(Map.of("evalEvery", 10_000, "evalBatches",
                SweepReport.P1_EVAL_BATCHES)), four, 1000, 1024, 0);
    }

    /**
     * About a minute on two cores: 8 PARITY runs and 4 each of MAJORITY, FIRST and MEAN (one sweep per function, so
     * that each appears) at n ∈ {4, 6}, E1's quick model (d = 32, batch 128), learning rates 4× P1's (U[4e-4, 2e-3])
     * for 600 steps, P1's weight decays; 8 batches of 512. Every function trains as long, as in P1: blowup keeps
     * growing under weight decay after convergence, so longer PARITY training would bias the comparison.
     */
    public static Tradeoff quick() {
        RunConfig base = RunConfig.defaults().with(Map.of("d", 32, "batch", 128, "steps", 600, "maxLen", 64, "evalEvery", 600,
                "evalBatches", 4, "checkpointEvery", 600, "logEvery", 50));
        List<Integer> lengths = List.of(4, 6);
        return new Tradeoff(List.of(
                new Sweep("parity", 8, List.of("parity"), lengths, 0, 1000),
                new Sweep("majority", 4, List.of("majority"), lengths, 0, 1000),
                new Sweep("first", 4, List.of("first"), lengths, 0, 1000),
                new Sweep("mean", 4, List.of("mean"), lengths, 0, 1000)),
                new Range(4e-4, 2e-3), new Range(0, 0.4), base, lengths, 8, 512, 0);
    }

    /** Every run of the search, by directory name ({@code <sweep>-<index>-<function>-n<n>}), in draw order. */
    public SequencedMap<String, RunConfig> runs() {
        SequencedMap<String, RunConfig> out = new LinkedHashMap<>();
        for (int k = 0; k < sweeps.size(); k++) {
            Sweep s = sweeps.get(k);
            Rng rng = new Rng(searchSeed * 1_000_003L + k); // one stream per sweep: resizing one leaves the others' draws alone
            for (int i = 0; i < s.runs(); i++) {
                String f = s.functions().get(rng.nextInt(s.functions().size()));
                int n = s.lengths().get(rng.nextInt(s.lengths().size()));
                long seed = s.seedMin() + (long) (rng.uniform() * (s.seedMax() - s.seedMin() + 1));
                double wd = weightDecay.min() + rng.uniform() * (weightDecay.max() - weightDecay.min());
                double rate = lr.min() + rng.uniform() * (lr.max() - lr.min());
                RunConfig c = base.with(Map.of("task", f, "n", n, "seed", seed, "lr", rate, "weightDecay", wd,
                        "maxLen", Math.max(base.maxLen(), n)));
                out.put(String.format("%s-%04d-%s-n%d", s.name(), i, f, n), c);
            }
        }
        return out;
    }

    /** Rejects a slice naming a function, seed or length the search did not draw. */
    public void check(RunFilter slice) {
        slice.check("E2's search has", runs().values());
    }

    /**
     * Trains what is not trained and measures blowup and norm where not measured, for the runs {@code slice} takes,
     * and writes report.html over every run of the search that has a directory.
     */
    public TradeoffReport.Summary run(Path dir, RunFilter slice, int maxEnsemble, RunQueue.Observer observer,
                                      MeasurementProgress progress) throws IOException {
        check(slice);
        SequencedMap<String, RunConfig> all = runs(), chosen = new LinkedHashMap<>();
        all.forEach((name, c) -> {
            if (slice.has(c)) chosen.put(name, c);
        });
        List<Trainer.Run> runs = RunQueue.prepare(dir, chosen);
        RunQueue.train(runs, maxEnsemble, observer);
        // E2's figures need blowup and norm only; P1 also measured sharpness, which they do not show
        FinalMeasurements.Plan plan = new FinalMeasurements.Plan(true, null, ParameterNorm.P1_EXCLUDE);
        RunMeasurements.measureAll(runs, plan, batches, batch, maxEnsemble, progress);
        List<Path> dirs = all.keySet().stream().map(dir::resolve).filter(RunDir::isRun).toList();
        return TradeoffReport.write(dir, dirs, all.size() - dirs.size(), panels, "Hahn & Rofin E2: parameter norm against LayerNorm blowup");
    }
}
