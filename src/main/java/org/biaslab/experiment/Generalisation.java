package org.biaslab.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.boolfn.BooleanFunction;
import org.biaslab.boolfn.RandomFunc;
import org.biaslab.boolfn.SensitivityProfile;
import org.biaslab.boolfn.TruthTable;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.P1Transformer;
import org.biaslab.report.Charts;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * P1's E5, first step (papers.md §P1.9.5): transformers fit random functions RandomFunc(t) of n bits from a
 * restricted training set of {@code trainSize} inputs; the function each learned (its thresholded outputs on all 2^n
 * inputs) is compared with random completions, which agree with the training data and are random elsewhere. P1's
 * finding: learned functions have a markedly lower average sensitivity than the completions (≈ n/2).
 *
 * @param completions random completions per run
 */
public record Generalisation(int n, int trainSize, List<Long> targets, List<Long> subsets, RunConfig base, int completions) {

    /** Minutes on two cores: n = 10, 256 training inputs, 4 targets × 2 training sets, a d = 32 model. */
    public static Generalisation quick() {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 10, "d", 32, "batch", 128, "lr", 1e-3, "steps", 2000,
                "maxLen", 64, "evalEvery", 2000, "evalBatches", 4, "checkpointEvery", 2000, "logEvery", 100));
        return new Generalisation(10, 256, List.of(0L, 1L, 2L, 3L), List.of(0L, 1L), base, 10);
    }

    /** P1's first step: targets 0..9 × training sets 0..9, P1's model and training (10,000 steps, batch 1024). */
    public static Generalisation full() {
        List<Long> ten = List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        return new Generalisation(10, 256, ten, ten, RunConfig.defaults().with(Map.of("n", 10)), 10);
    }

    /** Every run: target t, training set s (also the initialisation seed). */
    public List<RunConfig> runs() {
        List<RunConfig> out = new ArrayList<>();
        for (long t : targets) {
            for (long s : subsets) {
                out.add(base.with(Map.of("task", "random:" + t, "n", n, "restrictedSize", trainSize, "seed", s, "restrictedSeed", s)));
            }
        }
        return out;
    }

    /** One run's outcome: whether it fits its training inputs, and the sensitivities compared. */
    public record Outcome(String run, long target, long subset, boolean fits, double learned, double completions) {}

    /** Trains what is not trained, compares, and writes report.html; returns the outcomes. */
    public List<Outcome> run(Path dir, int maxEnsemble, RunQueue.Observer observer) throws IOException {
        List<Trainer.Run> runs = RunQueue.prepare(dir, runs());
        RunQueue.train(runs, maxEnsemble, observer);
        List<Outcome> outcomes = new ArrayList<>();
        for (Trainer.Run r : runs) outcomes.add(outcome(r));
        report(dir, outcomes);
        return outcomes;
    }

    private Outcome outcome(Trainer.Run r) throws IOException {
        RunConfig c = r.config();
        var loaded = RunMeasurements.LoadedRun.load(r.dir().path());
        int size = 1 << n;
        int[] bits = new int[size * n];
        for (int x = 0; x < size; x++) BitTask.bitsOf(x, n, bits, x);
        float[] out;
        try (var off = GradMode.off()) {
            out = ((P1Transformer) loaded.model()).forward(Tensor.ofInts(bits, size, n)).toFloatArray();
        }
        long target = Long.parseLong(c.task().substring("random:".length()));
        TruthTable f = RandomFunc.table(target, n);
        long[] train = Sampler.restricted(List.of(loaded.task()), new long[] {c.seed()}, 1, trainSize, new long[] {c.restrictedSeed()})
                .restrictedSet(0);
        boolean[] inTrain = new boolean[size];
        boolean fits = true;
        for (long x : train) {
            inTrain[(int) x] = true;
            fits &= (out[(int) x] > 0.5f) == f.get(x);
        }
        double learned = SensitivityProfile.of(TruthTable.of(BooleanFunction.of(n, x -> out[(int) x[0]] > 0.5f))).averageSensitivity();
        double completion = 0;
        for (int k = 0; k < completions; k++) {
            // P1 draws the completion's table from a fresh RandomFunc; here seeds beyond the targets' range
            TruthTable random = RandomFunc.table(1_000_000L + 1000L * target + 100L * c.seed() + k, n);
            completion += SensitivityProfile.of(TruthTable.of(BooleanFunction.of(n,
                    x -> inTrain[(int) x[0]] ? f.get(x[0]) : random.get(x[0])))).averageSensitivity() / completions;
        }
        return new Outcome(r.dir().path().getFileName().toString(), target, c.seed(), fits, learned, completion);
    }

    private void report(Path dir, List<Outcome> outcomes) throws IOException {
        List<Charts.Point> learned = new ArrayList<>(), random = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        double sumL = 0, sumR = 0;
        int kept = 0, lower = 0;
        for (Outcome o : outcomes) {
            rows.add(List.of(o.run(), Long.toString(o.target()), Long.toString(o.subset()), o.fits() ? "yes" : "no",
                    String.format("%.3f", o.learned()), String.format("%.3f", o.completions())));
            if (!o.fits()) {
                excluded.add(o.run() + ": does not reproduce every training input");
                continue;
            }
            learned.add(new Charts.Point(o.target() + 0.1 * o.subset(), o.learned()));
            random.add(new Charts.Point(o.target() + 0.1 * o.subset(), o.completions()));
            sumL += o.learned();
            sumR += o.completions();
            kept++;
            if (o.learned() < o.completions()) lower++;
        }
        Map<String, List<Charts.Point>> groups = new LinkedHashMap<>();
        groups.put("learned", learned);
        groups.put("random completion", random);
        byte[] png = Figure.of(Charts.scatter("Average sensitivity", "target function (RandomFunc seed)", "average sensitivity",
                groups, false, false)).save(dir.resolve("plots"), "e5_sensitivity");
        HtmlReport html = new HtmlReport("Hahn & Rofin E5: generalisation is biased towards low sensitivity")
                .section("Learned functions against random completions")
                .paragraph(String.format("%d of %d runs reproduce all %d training inputs of their random target on n = %d bits. "
                        + "Their learned functions have mean average sensitivity %.3f; random completions of the same training "
                        + "data (%d per run) have %.3f (n/2 = %.1f for a random function). The learned function is the less "
                        + "sensitive one in %d of %d runs.", kept, outcomes.size(), trainSize, n, kept == 0 ? Double.NaN : sumL / kept,
                        completions, kept == 0 ? Double.NaN : sumR / kept, n / 2.0, lower, kept))
                .figure(png, "Average sensitivity of each run's learned function and of random completions of its training data.",
                        "plots/e5_sensitivity.svg")
                .table(List.of("run", "target", "training set", "fits", "learned", "random completions"), rows)
                .exclusions(excluded);
        html.write(dir.resolve("report.html"));
    }
}
