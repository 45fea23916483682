package org.biaslab.experiment.p1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.biaslab.boolfn.BooleanFunction;
import org.biaslab.boolfn.FourierSpectrum;
import org.biaslab.boolfn.RandomFunc;
import org.biaslab.boolfn.TruthTable;
import org.biaslab.boolfn.TruthTableFile;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1Transformer;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.P1Objective;
import org.biaslab.probe.Sharpness;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.report.SweepReport;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * P1's E5 (docs/papers.md §P1.9.5). First step: transformers fit random functions RandomFunc(t) of n bits from a
 * restricted training set; the function each learned (its thresholded outputs on all 2^n inputs) is compared with
 * random completions, which agree with the training data and are random elsewhere. Second step: fresh transformers
 * refit every learned function and one random completion per run on all 2^n inputs and are measured at the end of
 * training (sharpness ×4, blowup, norm), the learned ones also on their original training inputs (train-set
 * sharpness). P1's findings: learned functions are less sensitive than the completions and sit in flatter minima;
 * sharpness grows with average sensitivity.
 *
 * @param trainSizes   restricted training-set sizes; random completions are refit for the first (P1: 256, then 128, 512)
 * @param completions  random completions per run in the sensitivity comparison (the first is also refit)
 * @param refit        the config of the refits (task, seed set per run; fresh batches over all inputs)
 * @param refitSeeds   initialisation seeds of the refits of each function (P1: 0..4)
 * @param refitLimit   refit the functions of at most this many fitting runs per training-set size (P1: all)
 * @param batches      measurement batches of a refit (P1: 1000)
 * @param batch        inputs per measurement batch (P1: 1024)
 * @param maxRefitLoss refits enter the figures when their eval loss is below this (P1: 0.001)
 */
public record Generalisation(int n, List<Integer> trainSizes, List<Long> targets, List<Long> subsets, RunConfig base, int completions,
                             RunConfig refit, List<Long> refitSeeds, int refitLimit, int batches, int batch,
                             double maxRefitLoss) {

    /** P1's sharpness on a training set: ε 0.02, R 100 (generalization_add_train_sharpness.py). */
    public static final SharpnessConfig TRAIN_SET_SHARPNESS = SharpnessConfig.p1(0).withRepeats(100);

    public Generalisation {
        if (trainSizes.isEmpty()) throw new IllegalArgumentException("E5: needs at least one training-set size");
        if (completions < 1) throw new IllegalArgumentException("E5: needs at least one random completion, got " + completions);
    }

    /**
     * About a minute and a half on two cores: n = 10, 256 training inputs, 4 targets × 2 training sets, a d = 32 model
     * for 1500 steps; then the learned function and a random completion of the first two fitting runs are refit once
     * for 300 steps and measured on 2 batches of 512. Such short refits do not fit their functions, so this scale shows
     * the pipeline, not P1's sharpness finding; every refit enters the figures (the report says so).
     */
    public static Generalisation quick() {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 10, "d", 32, "batch", 128, "lr", 1e-3, "steps", 1500,
                "maxLen", 64, "evalEvery", 1500, "evalBatches", 4, "checkpointEvery", 1500, "logEvery", 100));
        RunConfig refit = base.with(Map.of("lr", 3e-3, "steps", 300, "evalEvery", 300, "checkpointEvery", 300));
        return new Generalisation(10, List.of(256), List.of(0L, 1L, 2L, 3L), List.of(0L, 1L), base, 10, refit, List.of(0L), 2, 2, 512,
                Double.POSITIVE_INFINITY);
    }

    /**
     * P1's pipeline: targets 0..9 × training sets 0..9 at 256 inputs (generalization_first_step_1) and at 128 and 512
     * (first_step_2), refits with seeds 0..4 (second_step_1/2), P1's model and training throughout (evaluated over 1000
     * batches after the last step), 1000 × 1024 measurement inputs, refits with eval loss < 0.001 only.
     */
    public static Generalisation full() {
        List<Long> ten = List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        RunConfig base = RunConfig.defaults().with(Map.of("n", 10, "evalEvery", 10_000, "evalBatches", SweepReport.P1_EVAL_BATCHES));
        return new Generalisation(10, List.of(256, 128, 512), ten, ten, base, 10, base, List.of(0L, 1L, 2L, 3L, 4L), Integer.MAX_VALUE,
                1000, 1024, 1e-3);
    }

    /** The first step's runs by directory name ({@code learn<size>-t<target>-s<subset>}): target t, training set s (also the seed). */
    public SequencedMap<String, RunConfig> runs() {
        SequencedMap<String, RunConfig> out = new LinkedHashMap<>();
        for (int size : trainSizes) {
            for (long t : targets) {
                for (long s : subsets) {
                    out.put("learn" + size + "-t" + t + "-s" + s, base.with(Map.of("task", "random:" + t, "n", n, "restrictedSize", size,
                            "seed", s, "restrictedSeed", s)));
                }
            }
        }
        return out;
    }

    /** One first-step run's outcome: whether it fits its training inputs, and the sensitivities compared. */
    public record Outcome(String run, int trainSize, long target, long subset, boolean fits, double learned, double completions) {}

    /** One refit: which function it fits (learned or random completion, from which run), and its measurements (×4 scale). */
    public record Refit(String run, boolean random, int trainSize, String parent, long seed, double evalLoss, double sensitivity,
                        double sharpness, double trainSetSharpness) {}

    /** Everything E5 found, with a one-line summary for the console. */
    public record Result(List<Outcome> outcomes, List<Refit> refits, Path report, String summary) {}

    /** Rejects a slice naming a function ({@code random:t}), seed (training set) or length the first step does not have. */
    public void check(RunFilter slice) {
        slice.check("E5 has", runs().values());
    }

    /**
     * Trains the first-step runs {@code slice} takes and the refits of their functions, measures what is not measured,
     * compares, and writes report.html over every first-step run trained so far, with those of their refits that are
     * trained. Slices (targets, training sets) add up to the pipeline; {@link RunFilter#NONE} trains nothing and reports.
     */
    public Result run(Path dir, RunFilter slice, int maxEnsemble, RunQueue.Observer observer) throws IOException {
        check(slice);
        SequencedMap<String, RunConfig> chosen = new LinkedHashMap<>();
        runs().forEach((name, c) -> {
            if (slice.has(c)) chosen.put(name, c);
        });
        RunQueue.train(RunQueue.prepare(dir, chosen), maxEnsemble, observer);
        List<Outcome> outcomes = new ArrayList<>();
        SequencedMap<String, RunConfig> refitRuns = new LinkedHashMap<>();
        Map<String, Outcome> parentOf = new LinkedHashMap<>();
        Map<Integer, Integer> refitted = new LinkedHashMap<>();
        for (Trainer.Run r : trained(dir, runs())) {
            Outcome o = outcome(r, dir.resolve("functions"));
            outcomes.add(o);
            if (!o.fits() || refitted.merge(o.trainSize(), 1, Integer::sum) > refitLimit) continue;
            for (boolean random : new boolean[] {false, true}) {
                if (random && o.trainSize() != trainSizes.getFirst()) continue; // P1 refits completions of the 256-input runs only
                for (long seed : refitSeeds) {
                    String name = "refit-" + (random ? "random-" : "learned-") + o.run() + "-r" + seed;
                    refitRuns.put(name, refit.with(Map.of("task", "file:" + functionFile(dir.resolve("functions"), o.run(), random),
                            "n", n, "seed", seed, "restrictedSize", 0)));
                    parentOf.put(name, o);
                }
            }
        }
        SequencedMap<String, RunConfig> refitsNow = new LinkedHashMap<>();
        refitRuns.forEach((name, c) -> {
            if (chosen.containsKey(parentOf.get(name).run())) refitsNow.put(name, c);
        });
        RunQueue.train(RunQueue.prepare(dir, refitsNow), maxEnsemble, observer);
        List<Refit> measured = new ArrayList<>();
        for (Trainer.Run r : trained(dir, refitRuns)) {
            measured.add(measure(r, parentOf.get(r.dir().path().getFileName().toString()), dir.resolve("functions")));
        }
        int notTrained = runs().size() - outcomes.size();
        Path report = GeneralisationReport.write(this, dir, outcomes, measured, notTrained);
        return new Result(outcomes, measured, report, GeneralisationReport.summary(this, outcomes, measured, notTrained));
    }

    /** The runs of {@code named} trained to their last step under {@code dir}, read as they are (not prepared again). */
    private static List<Trainer.Run> trained(Path dir, SequencedMap<String, RunConfig> named) throws IOException {
        List<Trainer.Run> out = new ArrayList<>();
        for (var e : named.entrySet()) {
            Path run = dir.resolve(e.getKey());
            if (!RunDir.isRun(run)) continue;
            Trainer.Run r = new Trainer.Run(e.getValue(), new RunDir(run));
            if (RunQueue.done(r)) out.add(r);
        }
        return out;
    }

    private Outcome outcome(Trainer.Run r, Path functions) throws IOException {
        RunConfig c = r.config();
        String name = r.dir().path().getFileName().toString();
        int size = 1 << n;
        long target = Long.parseLong(c.task().substring("random:".length()));
        TruthTable f = RandomFunc.table(target, n);
        TruthTable learned = learnedBy(r, functionFile(functions, name, false));
        long[] train = trainingInputs(c, Trainer.task(c));
        boolean[] inTrain = new boolean[size];
        boolean fits = true;
        for (long x : train) {
            inTrain[(int) x] = true;
            fits &= learned.get(x) == f.get(x);
        }
        double completion = 0;
        TruthTable first = null;
        for (int k = 0; k < completions; k++) {
            // P1 draws the completion's table from a fresh RandomFunc; here seeds beyond the targets' range
            TruthTable random = RandomFunc.table(1_000_000L + 1000L * target + 100L * c.seed() + 10_000_000L * c.restrictedSize() + k, n);
            TruthTable completed = completion(f, inTrain, random);
            if (k == 0) first = completed;
            completion += averageSensitivity(completed) / completions;
        }
        Files.createDirectories(functions);
        writeTable(functionFile(functions, name, false), learned, "learned by " + name);
        writeTable(functionFile(functions, name, true), first, "random completion of " + name + "'s training data");
        return new Outcome(name, c.restrictedSize(), target, c.seed(), fits, averageSensitivity(learned), completion);
    }

    /**
     * The function a first-step run learned: its outputs on all 2^n inputs thresholded at 0.5, or, for a run carried
     * without its weights (from another machine), the table saved when it was computed there.
     */
    private TruthTable learnedBy(Trainer.Run r, Path saved) throws IOException {
        if (r.dir().weightsLeftOut() && Files.isRegularFile(saved)) return TruthTableFile.read(saved);
        var loaded = RunMeasurements.LoadedRun.load(r.dir().path());
        float[] out;
        try (var off = GradMode.off()) {
            out = ((P1Transformer) loaded.model()).forward(loaded.task().all().x()).toFloatArray();
        }
        return TruthTable.of(BooleanFunction.of(n, x -> out[(int) x[0]] > 0.5f));
    }

    /** The restricted training inputs of a first-step run (input numbers, first bit most significant). */
    static long[] trainingInputs(RunConfig c, BitTask task) {
        return Sampler.restricted(List.of(task), new long[] {c.seed()}, 1, c.restrictedSize(), new long[] {c.restrictedSeed()})
                .restrictedSet(0);
    }

    /** P1's random control: f on the training inputs, {@code random} elsewhere. */
    static TruthTable completion(TruthTable f, boolean[] inTrain, TruthTable random) {
        return TruthTable.of(BooleanFunction.of(f.n(), x -> inTrain[(int) x[0]] ? f.get(x[0]) : random.get(x[0])));
    }

    /** as_n by P1's Fourier formula Σ_S |S|·f̂(S)² (exact, by the Walsh–Hadamard transform). */
    static double averageSensitivity(TruthTable f) {
        return FourierSpectrum.of(f, 0).averageSensitivity();
    }

    private static Path functionFile(Path functions, String run, boolean random) {
        return functions.resolve(run + (random ? "-random.txt" : "-learned.txt"));
    }

    /** A truth table as ASCII text of 0 and 1 (the format {@code file:PATH} reads), 64 values a line. */
    static void writeTable(Path file, TruthTable f, String comment) throws IOException {
        StringBuilder s = new StringBuilder("# " + comment + ": f(0) to f(2^" + f.n() + " - 1), first bit most significant\n");
        for (long x = 0; x < 1L << f.n(); x++) {
            s.append(f.get(x) ? '1' : '0');
            if (x % 64 == 63) s.append('\n');
        }
        Files.writeString(file, s);
    }

    /** Measures a refit once (P1's end-of-training measurements, and train-set sharpness for learned functions). */
    private Refit measure(Trainer.Run r, Outcome parent, Path functions) throws IOException {
        String name = r.dir().path().getFileName().toString();
        boolean random = name.startsWith("refit-random-");
        if (!RunMeasurements.measured(r.dir())) {
            var loaded = RunMeasurements.LoadedRun.load(r.dir().path());
            Map<String, Object> values = RunMeasurements.measure(loaded, FinalMeasurements.Plan.p1(0), batches, batch, b -> { });
            if (!random) {
                RunConfig learner = runs().get(parent.run());
                Batch train = trainingBatch(loaded.task(), trainingInputs(learner, Trainer.task(learner)));
                double s = trainSetSharpness(loaded.model(), train);
                values.put("measure/sharpness_train_set", s);
                values.put("measure/sharpness_train_set_x4", 4 * s);
            }
            RunMeasurements.write(r.dir(), values);
        }
        var m = RunMeasurements.JSON.readTree(r.dir().path().resolve("measurements.json").toFile());
        var summary = RunMeasurements.JSON.readTree(r.dir().path().resolve("summary.json").toFile());
        TruthTable f = TruthTableFile.read(functionFile(functions, parent.run(), random)); // the table it fitted, read here: a measured run may come without weights
        return new Refit(name, random, parent.trainSize(), parent.run(), r.config().seed(), summary.path("eval/loss").asDouble(Double.NaN),
                averageSensitivity(f), m.path("measure/sharpness_x4").asDouble(Double.NaN),
                m.path("measure/sharpness_train_set_x4").asDouble(Double.NaN));
    }

    /** The inputs {@code xs} (input numbers) with the task's labels, as one batch. */
    static Batch trainingBatch(BitTask task, long[] xs) {
        int[] bits = new int[xs.length * task.n()];
        for (int i = 0; i < xs.length; i++) BitTask.bitsOf(xs[i], task.n(), bits, i);
        return new Batch(Tensor.ofInts(bits, xs.length, task.n()), Tensor.of(task.label(bits, xs.length), xs.length));
    }

    /** P1's train-set sharpness: the raw sharpness S (ε 0.02, R 100, fixed directions) on one batch, the training set. */
    static double trainSetSharpness(Module model, Batch train) {
        return new Sharpness(model, TRAIN_SET_SHARPNESS).next(P1Objective.lossOn(model, train))[0];
    }
}
