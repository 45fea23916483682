package org.biaslab.experiment.p1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.biaslab.boolfn.BooleanFunction;
import org.biaslab.boolfn.RandomFunc;
import org.biaslab.boolfn.SensitivityProfile;
import org.biaslab.boolfn.TruthTable;
import org.biaslab.boolfn.TruthTableFile;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneralisationTest {
    @TempDir
    Path tmp;

    private static Generalisation tiny() {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 6, "d", 16, "batch", 32, "lr", 3e-3, "steps", 150, "maxLen", 8,
                "evalEvery", 150, "evalBatches", 1, "checkpointEvery", 150, "logEvery", 50));
        RunConfig refit = base.with(Map.of("steps", 60, "evalEvery", 60, "checkpointEvery", 60));
        return new Generalisation(6, List.of(16, 8), List.of(7L), List.of(0L), base, 4, refit, List.of(0L), Integer.MAX_VALUE, 1, 64,
                Double.POSITIVE_INFINITY);
    }

    private static RunQueue.Observer recording(List<Integer> trained) {
        return new RunQueue.Observer() {
            @Override
            public Trainer.Listener starting(List<Trainer.Run> group, long from) {
                trained.add(group.size());
                return null;
            }

            @Override
            public void finished(List<Trainer.Run> group) {
            }
        };
    }

    @Test
    void learnsComparesRefitsMeasuresReportsAndOnASecondRunDoesNothingAgain() throws Exception {
        Generalisation e5 = tiny();
        assertEquals(List.of("learn16-t7-s0", "learn8-t7-s0"), List.copyOf(e5.runs().keySet()));
        List<Integer> trained = new ArrayList<>();
        Generalisation.Result result = e5.run(tmp, RunFilter.ALL, 8, recording(trained));
        assertEquals(List.of(1, 1), trained.subList(0, 2)); // the first step: one ensemble per training-set size
        assertEquals(2, result.outcomes().size());
        TruthTable target = RandomFunc.table(7, 6);
        int expectedRefits = 0;
        for (Generalisation.Outcome o : result.outcomes()) {
            assertTrue(o.learned() >= 0 && o.learned() <= 6, o.toString());
            // 16 of 64 inputs fixed by the target, 48 random: a completion is close to a random function's n/2
            if (o.trainSize() == 16) assertTrue(o.completions() > 2 && o.completions() < 4, o.toString());
            // the saved completion agrees with the target on every training input
            RunConfig c = e5.runs().get(o.run());
            TruthTable completion = TruthTableFile.read(tmp.resolve("functions/" + o.run() + "-random.txt"));
            for (long x : Generalisation.trainingInputs(c, Trainer.task(c))) assertEquals(target.get(x), completion.get(x), o.run() + " at " + x);
            if (o.fits()) expectedRefits += o.trainSize() == 16 ? 2 : 1; // completions are refit for the first size only
        }
        assertEquals(expectedRefits, result.refits().size());
        assertTrue(expectedRefits >= 2, "both runs fit their 16 and 8 training inputs");
        for (Generalisation.Refit r : result.refits()) {
            TruthTable fitted = TruthTableFile.read(tmp.resolve("functions/" + r.parent() + (r.random() ? "-random.txt" : "-learned.txt")));
            assertEquals(SensitivityProfile.of(fitted).averageSensitivity(), r.sensitivity(), 1e-12, r.run());
            assertTrue(Double.isFinite(r.sharpness()) && Double.isFinite(r.evalLoss()), r.toString());
            assertEquals(r.random(), Double.isNaN(r.trainSetSharpness()), r.toString());
        }
        String html = Files.readString(result.report());
        assertTrue(html.contains("Random function") && html.contains("plots/e5_sharpness_sensitivity.svg") && html.contains("data:image/png;base64,"));
        assertTrue(result.summary().startsWith("E5: "), result.summary());

        trained.clear();
        Generalisation.Result again = e5.run(tmp, RunFilter.ALL, 8, recording(trained));
        assertEquals(List.of(), trained);
        assertEquals(result.outcomes(), again.outcomes());
        assertEquals(result.refits(), again.refits());
    }

    @Test
    void slicesOfTargetsTrainTheirRunsAndRefitsAndAddUpWhileTheReportCountsTheRest() throws Exception {
        RunConfig base = tiny().base(), refit = tiny().refit();
        Generalisation e5 = new Generalisation(6, List.of(16), List.of(7L, 8L), List.of(0L), base, 4, refit, List.of(0L), Integer.MAX_VALUE,
                1, 64, Double.POSITIVE_INFINITY);
        List<Integer> trained = new ArrayList<>();
        Generalisation.Result first = e5.run(tmp, new RunFilter(Set.of("random:7"), null, null), 8, recording(trained));
        assertEquals(List.of("learn16-t7-s0"), first.outcomes().stream().map(Generalisation.Outcome::run).toList());
        assertTrue(first.refits().stream().allMatch(r -> r.parent().equals("learn16-t7-s0")) && !first.refits().isEmpty());
        assertTrue(first.summary().endsWith("(1 first-step runs not trained yet)"), first.summary());
        assertTrue(Files.readString(first.report()).contains("2 first-step runs not trained yet (run the other slices)"));
        assertFalse(Files.exists(tmp.resolve("learn16-t8-s0")));

        trained.clear();
        Generalisation.Result second = e5.run(tmp, new RunFilter(Set.of("random:8"), null, null), 8, recording(trained));
        assertEquals(2, second.outcomes().size());
        // t8's learner, then its refits alone: t7's are not trained again
        assertEquals(1 + second.refits().size() - first.refits().size(), trained.stream().mapToInt(Integer::intValue).sum());
        assertEquals(first.outcomes().getFirst(), second.outcomes().getFirst());
        assertTrue(second.refits().containsAll(first.refits()));
        assertFalse(second.summary().contains("not trained yet"), second.summary());

        trained.clear();
        Generalisation.Result report = e5.run(tmp, RunFilter.NONE, 8, recording(trained));
        assertEquals(List.of(), trained);
        assertEquals(second.outcomes(), report.outcomes());
        assertEquals(second.refits(), report.refits());

        // carried to another machine without their weights (as scripts/gpu/p1-slice.sh packs measured runs), the runs
        // still report: the learned functions and the refits' tables are read from functions/
        try (var files = Files.walk(tmp)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) Files.delete(f);
        }
        Generalisation.Result carried = e5.run(tmp, RunFilter.NONE, 8, recording(trained));
        assertEquals(List.of(), trained);
        assertEquals(second.outcomes(), carried.outcomes());
        assertEquals(second.refits(), carried.refits());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> e5.check(new RunFilter(Set.of("parity"), null, null)));
        assertEquals("E5 has no function parity (only random:7, random:8)", bad.getMessage());
    }

    @Test
    void theFullPipelineIsP1s() {
        Generalisation full = Generalisation.full();
        var runs = full.runs();
        assertEquals(300, runs.size()); // generalization_first_step_1 (256) and _2 (128, 512): 10 targets × 10 training sets each
        for (int size : new int[] {128, 256, 512}) {
            assertEquals(100, runs.values().stream().filter(c -> c.restrictedSize() == size && c.n() == 10).count());
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), full.refitSeeds());
        assertEquals(10_000, full.refit().steps());
        assertEquals(1e-3, full.maxRefitLoss());
    }

    @Test
    void aCompletionIsTheTargetOnTheTrainingInputsAndTheRandomTableElsewhere() {
        TruthTable f = RandomFunc.table(3, 5), random = RandomFunc.table(4, 5);
        boolean[] inTrain = new boolean[32];
        for (int x : new int[] {0, 5, 17, 31}) inTrain[x] = true;
        TruthTable c = Generalisation.completion(f, inTrain, random);
        for (int x = 0; x < 32; x++) assertEquals(inTrain[x] ? f.get(x) : random.get(x), c.get(x), "x = " + x);
    }

    @Test
    void theTrainingBatchHoldsExactlyTheTrainingInputsWithTheirLabels() {
        TruthTable f = RandomFunc.table(5, 6);
        long[] xs = {0, 63, 42, 7};
        Batch b = Generalisation.trainingBatch(BitTask.of(f), xs);
        int[] bits = b.x().toIntArray();
        float[] y = b.y().toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            long x = 0;
            for (int j = 0; j < 6; j++) x = 2 * x + bits[i * 6 + j];
            assertEquals(xs[i], x);
            assertEquals(f.get(x) ? 1f : 0f, y[i]);
        }
    }

    @Test
    void trainSetSharpnessIsTheMeanOfEachTrainingInputsSharpness() {
        // with P1's fixed noise directions and a mean loss, S on a set is exactly the mean of S on its members
        RunConfig c = RunConfig.defaults().with(Map.of("task", "random:2", "n", 5, "d", 8, "maxLen", 8));
        Module model = Trainer.model(c, Init.f32(3));
        BitTask task = BitTask.of(BooleanFunction.of(5, x -> Long.bitCount(x[0]) % 3 == 0));
        long[] xs = {1, 4, 9, 30, 22};
        double whole = Generalisation.trainSetSharpness(model, Generalisation.trainingBatch(task, xs));
        double mean = 0, scale = 0;
        for (long x : xs) {
            double single = Generalisation.trainSetSharpness(model, Generalisation.trainingBatch(task, new long[] {x}));
            mean += single / xs.length;
            scale += Math.abs(single) / xs.length;
        }
        assertTrue(scale > 0);
        assertEquals(mean, whole, 1e-5 * scale);
    }
}
