package org.biaslab.train;

import static org.biaslab.train.TrainerTest.assertSameTensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs resumed after damage to their directory end bitwise as undamaged ones (issue #17, items 9–15). */
class RecoveryTest {
    @TempDir
    Path tmp;

    private static final RuntimeException KILL = new RuntimeException("simulated kill");

    private Trainer.Run run(RunConfig c, String name) throws Exception {
        RunDir dir = new RunDir(tmp.resolve(name));
        dir.init(c);
        return new Trainer.Run(c, dir);
    }

    /** A listener that stops training when it sees step {@code at} (0: never) and collects the notes. */
    private static Trainer.Listener stopAt(long at, List<String> notes, List<Long> steps) {
        return new Trainer.Listener() {
            @Override
            public void progress(long step, long total, double meanLoss, double stepsPerSecond) {
                steps.add(step);
                if (step == at) throw KILL;
            }

            @Override
            public void note(String line) {
                notes.add(line);
            }
        };
    }

    private static String withoutRates(Path metrics) throws Exception {
        return Files.readString(metrics).replaceAll("\"steps_per_s\":[^,}]*", "");
    }

    private void assertSameRun(Trainer.Run expected, Trainer.Run actual) throws Exception {
        assertSameTensors(expected.dir().loadCheckpoint().model(), actual.dir().loadCheckpoint().model());
        assertSameTensors(expected.dir().loadCheckpoint().optimizer(), actual.dir().loadCheckpoint().optimizer());
        assertEquals(withoutRates(expected.dir().path().resolve("metrics.jsonl")), withoutRates(actual.dir().path().resolve("metrics.jsonl")));
    }

    @Test
    void aDamagedNewestCheckpointIsPassedOverWithANoteAndTheRunEndsAsAnUndamagedOne() throws Exception {
        RunConfig c = TrainerTest.small("parity", 3, 30);
        Trainer.Run whole = run(c, "whole"), cut = run(c, "cut");
        new Trainer(List.of(whole), null).run();
        assertThrows(RuntimeException.class, () -> new Trainer(List.of(cut), stopAt(25, new ArrayList<>(), new ArrayList<>())).run());
        RunDirTest.flipLastBit(cut.dir().path().resolve("ckpt-000000020/model.safetensors"));
        List<String> notes = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        new Trainer(List.of(cut), stopAt(0, notes, steps)).run();
        assertEquals(List.of(cut.dir().path().resolve("ckpt-000000020/model.safetensors") + ": SHA-256 does not match the one in"
                + " manifest.json: the file or the manifest was damaged after writing; resuming from ckpt-000000010"), notes);
        assertEquals(11, steps.getFirst());
        assertSameRun(whole, cut);
    }

    @Test
    void withLatestDeletedTheRunResumesFromItsNewestCheckpoint() throws Exception {
        RunConfig c = TrainerTest.small("majority", 4, 30);
        Trainer.Run whole = run(c, "whole"), cut = run(c, "cut");
        new Trainer(List.of(whole), null).run();
        assertThrows(RuntimeException.class, () -> new Trainer(List.of(cut), stopAt(25, new ArrayList<>(), new ArrayList<>())).run());
        Files.delete(cut.dir().path().resolve("latest"));
        List<Long> steps = new ArrayList<>();
        new Trainer(List.of(cut), stopAt(0, new ArrayList<>(), steps)).run();
        assertEquals(21, steps.getFirst());
        assertSameRun(whole, cut);
    }

    @Test
    void aCorruptMetricsLineIsNotedAndTheLinesAfterItKept() throws Exception {
        RunConfig c = TrainerTest.small("parity", 5, 30);
        Trainer.Run whole = run(c, "whole"), cut = run(c, "cut");
        new Trainer(List.of(whole), null).run();
        assertThrows(RuntimeException.class, () -> new Trainer(List.of(cut), stopAt(25, new ArrayList<>(), new ArrayList<>())).run());
        Path metrics = cut.dir().path().resolve("metrics.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(metrics));
        String second = lines.get(1);
        lines.set(1, second.replaceFirst("\\{", "["));
        Files.write(metrics, lines);
        List<String> notes = new ArrayList<>();
        new Trainer(List.of(cut), stopAt(0, notes, new ArrayList<>())).run();
        assertEquals(1, notes.size());
        assertTrue(notes.getFirst().startsWith(metrics + ": line 2 ([\"step\":10,"), notes.getFirst());
        List<String> expected = new ArrayList<>(Files.readAllLines(whole.dir().path().resolve("metrics.jsonl")));
        expected.remove(1); // only the damaged line is missing
        assertEquals(String.join("\n", expected).replaceAll("\"steps_per_s\":[^,}]*", ""),
                String.join("\n", Files.readAllLines(metrics)).replaceAll("\"steps_per_s\":[^,}]*", ""));
    }

    @Test
    void aTruncatedMetricsLogIsNotedWithTheStepsItLost() throws Exception {
        RunConfig c = TrainerTest.small("parity", 6, 30);
        Trainer.Run cut = run(c, "cut");
        assertThrows(RuntimeException.class, () -> new Trainer(List.of(cut), stopAt(25, new ArrayList<>(), new ArrayList<>())).run());
        Path metrics = cut.dir().path().resolve("metrics.jsonl");
        String text = Files.readString(metrics);
        Files.writeString(metrics, text.substring(0, text.indexOf('\n') + 8)); // the first line and a cut-off second
        List<String> notes = new ArrayList<>();
        new Trainer(List.of(cut), stopAt(0, notes, new ArrayList<>())).run();
        assertEquals(List.of(metrics + " ends at step 5, before the checkpoint's step 20: the lines of steps 6 to 20 are lost (they"
                + " are not recomputed)"), notes);
        assertEquals(List.of(5, 25, 30), cut.dir().metrics().stream().map(m -> m.get("step")).toList());
    }

    @Test
    void ensembleMembersResumeEachFromTheirNewestGoodCheckpointAndADamagedFinalOneIsRecomputed() throws Exception {
        RunConfig a = TrainerTest.small("parity", 1, 30), b = TrainerTest.small("majority", 2, 30);
        Trainer.Run soloA = run(a, "solo-a"), soloB = run(b, "solo-b");
        new Trainer(List.of(soloA), null).run();
        new Trainer(List.of(soloB), null).run();
        List<Trainer.Run> queue = RunQueue.prepare(tmp.resolve("queue"), List.of(a, b));
        long[] killAt = {25};
        RunQueue.Observer observer = new RunQueue.Observer() {
            @Override
            public Trainer.Listener starting(List<Trainer.Run> group, long fromStep) {
                return stopAt(killAt[0], new ArrayList<>(), new ArrayList<>());
            }

            @Override
            public void finished(List<Trainer.Run> group) {}
        };
        assertThrows(RuntimeException.class, () -> RunQueue.train(queue, 8, observer));
        RunDirTest.flipLastBit(queue.get(1).dir().path().resolve("ckpt-000000020/optimizer.safetensors"));
        List<List<Trainer.Run>> groups = RunQueue.groups(queue, 8);
        assertEquals(List.of(List.of(queue.get(0)), List.of(queue.get(1))), groups, "a at step 20, b at step 10");
        killAt[0] = 0;
        RunQueue.train(queue, 8, observer);
        assertSameRun(soloA, queue.get(0));
        assertSameRun(soloB, queue.get(1));

        RunDirTest.flipLastBit(queue.get(0).dir().path().resolve("ckpt-000000030/model.safetensors"));
        assertFalse(RunQueue.done(queue.get(0)));
        assertTrue(RunQueue.done(queue.get(1)));
        RunQueue.train(queue, 8, observer);
        assertSameRun(soloA, queue.get(0));
    }

    /**
     * A finished run carried to another machine without its weights (its checkpoint directories hold the manifest
     * alone, which the next start removes as incomplete) is done there, at its summary's step; one whose final
     * checkpoint is there but damaged is not.
     */
    @Test
    void aFinishedRunCarriedWithoutItsWeightsIsDoneAtItsLastStep() throws Exception {
        RunConfig a = TrainerTest.small("parity", 1, 20), b = TrainerTest.small("majority", 2, 20);
        List<Trainer.Run> queue = RunQueue.prepare(tmp.resolve("queue"), List.of(a, b));
        RunQueue.train(queue, 8, new RunQueue.Observer() {
            @Override
            public Trainer.Listener starting(List<Trainer.Run> group, long fromStep) {
                return null;
            }

            @Override
            public void finished(List<Trainer.Run> group) {}
        });
        try (var files = Files.walk(queue.get(0).dir().path())) {
            for (Path f : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) Files.delete(f);
        }
        RunDirTest.flipLastBit(queue.get(1).dir().path().resolve("ckpt-000000020/model.safetensors"));
        List<Trainer.Run> again = RunQueue.prepare(tmp.resolve("queue"), List.of(a, b));
        assertEquals(20, again.get(0).dir().resultStep());
        assertTrue(RunQueue.done(again.get(0)));
        assertEquals(10, again.get(1).dir().resultStep(), "the damaged final checkpoint falls back to the one before");
        assertFalse(RunQueue.done(again.get(1)));
        assertEquals(List.of(List.of(again.get(1))), RunQueue.groups(again, 8));
    }

    @Test
    void aHugeLearningRateWritesNoCheckpointAndSaysSoAgainOnTheNextStart() throws Exception {
        RunConfig c = TrainerTest.small("parity", 0, 20).with(Map.of("lr", 1e39, "checkpointEvery", 1, "logEvery", 1));
        Trainer.Run r = run(c, "huge");
        for (int attempt = 0; attempt < 2; attempt++) {
            var e = assertThrows(Diverged.class, () -> new Trainer(List.of(r), null).run());
            assertTrue(e.getMessage().matches("train: " + java.util.regex.Pattern.quote(r.dir().path().toString())
                    + ": parameter '[^']+' holds (NaN|-?Infinity) after step 1, so ckpt-000000001 is not written; no checkpoint"
                    + " was kept, so the run starts again from step 0"), e.getMessage());
            assertEquals(0, r.dir().checkpointSteps().size());
            assertEquals(1, ((Number) r.dir().metrics().getLast().get("step")).intValue(), "the metrics end at the step named");
        }
    }

    @Test
    void aRunDivergingLaterKeepsOnlyFiniteCheckpointsAndNamesTheNewest() throws Exception {
        RunConfig c = TrainerTest.small("parity", 0, 40).with(Map.of("lr", 1e30, "checkpointEvery", 1, "logEvery", 1, "beta1", 0.0));
        Trainer.Run r = run(c, "nan");
        var e = assertThrows(Diverged.class, () -> new Trainer(List.of(r), null).run());
        long kept = r.dir().latestStep();
        assertTrue(kept > 0, e.getMessage());
        assertTrue(e.getMessage().endsWith("; the last good checkpoint is ckpt-" + String.format("%09d", kept) + " (step " + kept + ")"), e.getMessage());
        var m = java.util.regex.Pattern.compile("at step (\\d+) in |after step (\\d+), ").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        long named = Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
        assertEquals(kept + 1, named, "the step that diverged follows the checkpoint that remains");
        for (long step : r.dir().checkpointSteps()) {
            for (Tensor t : r.dir().loadModel(step).values()) for (double v : t.toDoubleArray()) assertTrue(Double.isFinite(v));
        }
        for (Tensor t : r.dir().loadCheckpoint().optimizer().values()) for (double v : t.toDoubleArray()) assertTrue(Double.isFinite(v));
    }
}
