package org.biaslab.experiment.p1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunMeasurementsTest {
    @TempDir
    Path tmp;

    private static final FinalMeasurements.Plan PLAN = new FinalMeasurements.Plan(true,
            new SharpnessConfig(0.02, 3, 0, "positional_encoding", true), "positional_encoding");

    private List<Trainer.Run> trained(String... tasks) throws Exception {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 5, "d", 16, "batch", 32, "steps", 15, "maxLen", 8,
                "evalEvery", 15, "evalBatches", 1, "checkpointEvery", 15, "logEvery", 5));
        List<RunConfig> configs = new ArrayList<>();
        for (int i = 0; i < tasks.length; i++) configs.add(base.with(Map.of("task", tasks[i], "seed", (long) i)));
        List<Trainer.Run> runs = RunQueue.prepare(tmp, configs);
        RunQueue.train(runs, 1, new TrainingEvents(new ArrayList<>())); // trained alone, measured together
        return runs;
    }

    @Test
    void runsMeasuredTogetherGetExactlyTheValuesTheyGetAlone() throws Exception {
        List<Trainer.Run> runs = trained("parity", "majority", "first");
        List<Map<String, Object>> together = RunMeasurements.measureTogether(runs, PLAN, 3, 16, (i, total, run) -> { });
        for (int e = 0; e < runs.size(); e++) {
            var alone = RunMeasurements.measure(RunMeasurements.LoadedRun.load(runs.get(e).dir().path()), PLAN, 3, 16, b -> { });
            assertEquals(alone, together.get(e), "run " + e);
        }
    }

    @Test
    void measureAllGroupsRunsAndResumes() throws Exception {
        List<Trainer.Run> runs = trained("parity", "first", "mean");
        List<String> measured = new ArrayList<>();
        RunMeasurements.measureAll(runs, PLAN, 2, 16, 2, (i, total, dir) -> measured.add(dir.getFileName().toString()));
        assertEquals(List.of("parity-n5-s0", "first-n5-s1", "mean-n5-s2"), measured);
        for (Trainer.Run r : runs) assertEquals(true, RunMeasurements.measured(r.dir()));
        measured.clear();
        RunMeasurements.measureAll(runs, PLAN, 2, 16, 2, (i, total, dir) -> measured.add(dir.getFileName().toString()));
        assertEquals(List.of(), measured, "measured runs are not measured again");
    }

    /**
     * A measurement killed once its batches are summed (before the curvature and the files of the result) leaves each
     * run's partial sums; measuring again continues from them, to the values of an uninterrupted measurement.
     */
    @Test
    void aKilledMeasurementContinuesFromEachRunsPartialSums() throws Exception {
        List<Trainer.Run> runs = trained("parity", "first");
        List<Map<String, Object>> whole = RunMeasurements.measureTogether(runs, PLAN, 3, 16, (i, total, run) -> { });
        // its result was not written, so its partial sums are still there: measure again from none
        for (Trainer.Run r : runs) Files.delete(r.dir().path().resolve(PartialMeasurements.FILE));
        RuntimeException stop = new RuntimeException("killed");
        MeasurementProgress killer = batchesSeen(done -> {
            if (done == 3) throw stop;
        });
        assertSame(stop, assertThrows(RuntimeException.class, () -> RunMeasurements.measureAll(runs, PLAN, 3, 16, 2, killer)));
        for (Trainer.Run r : runs) {
            assertFalse(RunMeasurements.measured(r.dir()));
            var partial = RunMeasurements.JSON.readTree(r.dir().path().resolve(PartialMeasurements.FILE).toFile());
            assertEquals(3, partial.path("done").asInt());
        }
        List<Integer> counted = new ArrayList<>();
        RunMeasurements.measureAll(runs, PLAN, 3, 16, 2, batchesSeen(counted::add));
        assertEquals(List.of(-3), counted, "the count starts at batch 3 of 3: no batch measured again");
        for (int e = 0; e < runs.size(); e++) {
            Path dir = runs.get(e).dir().path();
            assertEquals(RunMeasurements.JSON.readTree(RunMeasurements.JSON.writeValueAsString(whole.get(e))),
                    RunMeasurements.JSON.readTree(dir.resolve("measurements.json").toFile()), "run " + e);
            assertFalse(Files.exists(dir.resolve(PartialMeasurements.FILE)), "the result replaces the partial file");
        }
    }

    /** Progress that hands every count of batches done to {@code seen}. */
    private static MeasurementProgress batchesSeen(java.util.function.IntConsumer seen) {
        return new MeasurementProgress() {
            @Override
            public void measuring(int index, int total, Path run) {}

            @Override
            public MeasurementProgress.Batches batches(int done, int batches) {
                seen.accept(-done); // where the count starts, as minus the batches measured before
                return new MeasurementProgress.Batches() {
                    @Override
                    public void accept(int d) {
                        seen.accept(d);
                    }

                    @Override
                    public void close() {}
                };
            }
        };
    }

    /** Partial sums under other settings, or of another count of batches in one member, are not continued. */
    @Test
    void partialSumsOfOtherSettingsOrUnequalProgressAreIgnored() throws Exception {
        List<Trainer.Run> runs = trained("parity", "first");
        List<org.biaslab.train.RunDir> dirs = runs.stream().map(Trainer.Run::dir).toList();
        Map<String, Object> header = Map.of("step", 15L, "batches", 4);
        PartialMeasurements.saver(dirs, header, 2).accept(new FinalMeasurements.Partial(2, Map.of("loss", new double[] {0.25, 0.5})));
        FinalMeasurements.Partial read = PartialMeasurements.read(dirs, header);
        assertEquals(2, read.done());
        assertEquals(List.of(0.25, 0.5), java.util.Arrays.stream(read.sums().get("loss")).boxed().toList());
        assertEquals(FinalMeasurements.Partial.NONE, PartialMeasurements.read(dirs, Map.of("step", 15L, "batches", 5)),
                "another count of batches");
        PartialMeasurements.saver(dirs.subList(1, 2), header, 1).accept(new FinalMeasurements.Partial(1, Map.of("loss", new double[] {0.5})));
        assertEquals(FinalMeasurements.Partial.NONE, PartialMeasurements.read(dirs, header), "members at different batches");
        Files.writeString(dirs.get(0).path().resolve(PartialMeasurements.FILE), "{\"step\": 15, \"batch");
        assertEquals(FinalMeasurements.Partial.NONE, PartialMeasurements.read(dirs.subList(0, 1), header), "a torn file");
    }

    /** A finished run whose final checkpoint was damaged is not measured at an earlier one (issue #17, item 10). */
    @Test
    void aDamagedFinalCheckpointIsNotSilentlyReplacedByAnEarlierOne() throws Exception {
        RunConfig c = RunConfig.defaults().with(Map.of("n", 5, "d", 16, "batch", 32, "steps", 20, "maxLen", 8,
                "evalEvery", 20, "evalBatches", 1, "checkpointEvery", 10, "logEvery", 5));
        List<Trainer.Run> runs = RunQueue.prepare(tmp, List.of(c));
        RunQueue.train(runs, 1, new TrainingEvents(new ArrayList<>()));
        Path model = runs.get(0).dir().path().resolve("ckpt-000000020/model.safetensors");
        byte[] b = java.nio.file.Files.readAllBytes(model);
        b[b.length - 1] ^= 1;
        java.nio.file.Files.write(model, b);
        var e = assertThrows(IllegalArgumentException.class, () -> RunMeasurements.LoadedRun.load(runs.get(0).dir().path()));
        assertEquals(runs.get(0).dir().path() + ": its newest checkpoint that verifies is at step 10, not at its last step 20 (" + model
                + ": SHA-256 does not match the one in manifest.json: the file or the manifest was damaged after writing); train the"
                + " run again to recompute the rest", e.getMessage());
    }

    @Test
    void runsOfDifferentLengthsAreNotMeasuredTogether() throws Exception {
        List<Trainer.Run> runs = new ArrayList<>(trained("parity"));
        RunConfig other = runs.get(0).config().with(Map.of("n", 6));
        List<Trainer.Run> more = RunQueue.prepare(tmp, List.of(other));
        RunQueue.train(more, 1, new TrainingEvents(new ArrayList<>()));
        runs.addAll(more);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunMeasurements.measureTogether(runs, PLAN, 1, 8, (i, total, run) -> { }));
        assertEquals(true, e.getMessage().contains("cannot be measured with"), e.getMessage());
    }
}
