package org.biaslab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.biaslab.io.FormatException;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints and metrics of a run directory under damage: the reproducers of issue #17, items 9–15. */
class RunDirTest {
    @TempDir
    Path tmp;

    private static Map<String, Tensor> model(float w) {
        return Map.of("w", Tensor.of(new float[] {w, 2 * w, 3 * w}, 3));
    }

    private static Map<String, Tensor> optimizer(float m) {
        return Map.of("m", Tensor.of(new float[] {m, -m}, 2), "step", Tensor.ofInts(new int[] {7}));
    }

    private static void save(RunDir run, long step, boolean keepOlder) throws IOException {
        run.saveCheckpoint(step, model(step), optimizer(step), "{}", keepOlder);
    }

    /** Flips one bit of the last byte of a file (in a safetensors file: tensor data). */
    static void flipLastBit(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length - 1] ^= 1;
        Files.write(file, b);
    }

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFlippedBitIsAnErrorNamingTheFileAndTheScanFallsBackToThePreviousCheckpoint() throws Exception {
        RunDir run = new RunDir(tmp);
        save(run, 10, false);
        save(run, 20, false);
        flipLastBit(tmp.resolve("ckpt-000000020/model.safetensors"));
        var e = assertThrows(FormatException.class, () -> run.loadModel(20));
        assertEquals(tmp.resolve("ckpt-000000020/model.safetensors") + ": SHA-256 does not match the one in manifest.json: the file or the manifest"
                + " was damaged after writing", e.getMessage());
        RunDir.Scan s = run.scan();
        assertEquals(10, s.step());
        assertEquals(List.of(e.getMessage()), s.skipped());
        assertEquals(10f, run.loadCheckpoint().model().get("w").toFloatArray()[0]);
        assertEquals("the last good checkpoint is ckpt-000000010 (step 10)", run.lastGood());
    }

    @Test
    void theCheckpointBeforeTheNewestIsKeptAndOlderOnesGoOrKeepTheirModel() throws Exception {
        RunDir run = new RunDir(tmp.resolve("a")), snapshots = new RunDir(tmp.resolve("b"));
        for (long step : List.of(10L, 20L, 30L)) {
            save(run, step, false);
            save(snapshots, step, true);
        }
        assertEquals(List.of("ckpt-000000020", "ckpt-000000030", "latest"), names(run.path()));
        assertEquals(List.of("manifest.json", "model.safetensors", "optimizer.safetensors"), names(run.path().resolve("ckpt-000000020")));
        assertEquals(List.of("manifest.json", "model.safetensors"), names(snapshots.path().resolve("ckpt-000000010")));
        assertEquals(List.of(10L, 20L, 30L), snapshots.checkpointSteps());
        assertEquals(10f, snapshots.loadModel(10).get("w").toFloatArray()[0]); // its rewritten manifest verifies
        flipLastBit(snapshots.path().resolve("ckpt-000000030/optimizer.safetensors"));
        assertEquals(20, snapshots.latestStep());
    }

    @Test
    void withLatestDeletedTheNewestCheckpointIsFoundAndNoNewerOneIsEverDeleted() throws Exception {
        RunDir run = new RunDir(tmp);
        save(run, 10, false);
        save(run, 20, false);
        save(run, 30, false);
        Files.delete(tmp.resolve("latest"));
        assertEquals(30, run.latestStep());
        save(run, 10, false); // as a run restarted from an older step would
        assertEquals(List.of("ckpt-000000010", "ckpt-000000020", "ckpt-000000030", "latest"), names(tmp));
        assertEquals(30, run.latestStep());
    }

    @Test
    void aCorruptMetricsLineIsReportedAndDroppedAndEveryGoodLineKept() throws Exception {
        RunDir run = new RunDir(tmp);
        for (int step = 1; step <= 6; step++) run.log(Map.of("step", step, "train/loss", 1.0 / step));
        Path file = tmp.resolve("metrics.jsonl");
        List<String> lines = Files.readAllLines(file);
        byte[] third = lines.get(2).getBytes();
        third[5] = (byte) 0xA2; // a lone UTF-8 continuation byte: not UTF-8
        byte[] bad = (String.join("\n", lines.subList(0, 2)) + "\n").getBytes();
        Files.write(file, bad);
        Files.write(file, third, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(file, "\n" + lines.get(3) + "\n{\"step\":5,\"train/loss\" 0.2}\n" + lines.get(5) + "\n{\"step\":7,\"tr",
                java.nio.file.StandardOpenOption.APPEND); // line 5 lost its colon; the last line was cut off by a kill
        var e = assertThrows(FormatException.class, run::metrics);
        assertEquals(file + ": line 3 is not valid UTF-8; delete or repair that line", e.getMessage());
        assertEquals(List.of(file + ": line 3 is not valid UTF-8; dropped it",
                file + ": line 5 ({\"step\":5,\"train/loss\" 0.2}) is not JSON; dropped it"), run.truncateMetrics(5));
        assertEquals(List.of(1, 2, 4), run.metrics().stream().map(m -> m.get("step")).toList());
    }

    @Test
    void leftoversOfAKillAreRemovedOnTheNextStart() throws Exception {
        RunConfig c = TrainerTest.small("parity", 0, 30);
        RunDir run = new RunDir(tmp);
        run.init(c);
        save(run, 20, false);
        save(run, 30, false);
        save(run, 5, false); // a stale checkpoint beside the final two
        Path ck = tmp.resolve("ckpt-000000030");
        Files.writeString(ck.resolve(".optimizer.safetensors.5f0e2c1a9b.tmp"), "half");
        Files.writeString(tmp.resolve("latest.tmp"), "ckpt-0000");
        Files.createDirectories(tmp.resolve("ckpt-000000040")); // interrupted before its manifest
        Files.copy(ck.resolve("optimizer.safetensors"), tmp.resolve("ckpt-000000040/optimizer.safetensors"));
        Files.copy(ck.resolve("model.safetensors"), tmp.resolve("ckpt-000000040/model.safetensors"));
        Files.createDirectories(tmp.resolve("ckpt-6")); // not a name biaslab writes: not touched
        Files.delete(tmp.resolve("latest"));
        run.init(c);
        assertEquals(List.of("ckpt-000000020", "ckpt-000000030", "ckpt-6", "config.json", "latest"), names(tmp));
        assertEquals("ckpt-000000030", Files.readString(tmp.resolve("latest")));
        assertEquals(List.of("manifest.json", "model.safetensors", "optimizer.safetensors"), names(ck));
        assertEquals(30, run.latestStep());
    }

    @Test
    void latestIsOnlyAHintAndAnOddCheckpointNameIsNeitherLoadedNorDeleted() throws Exception {
        RunDir run = new RunDir(tmp);
        save(run, 6, false);
        Files.writeString(tmp.resolve("latest"), "ckpt-6");
        assertEquals(6, run.latestStep());
        assertEquals(6f, run.loadCheckpoint().model().get("w").toFloatArray()[0]);
        Files.move(tmp.resolve("ckpt-000000006"), tmp.resolve("ckpt-6"));
        assertEquals(0, run.latestStep());
        assertFalse(run.scan().found());
        save(run, 10, false);
        save(run, 20, false);
        assertTrue(Files.isDirectory(tmp.resolve("ckpt-6")));
    }

    @Test
    void aNonFiniteValueIsNeverWrittenAndTheMessageNamesTheCheckpointThatRemains() throws Exception {
        RunDir run = new RunDir(tmp);
        var first = assertThrows(Diverged.class, () -> run.saveCheckpoint(1, model(Float.POSITIVE_INFINITY), optimizer(1), "{}", false));
        assertEquals(tmp + ": parameter 'w' holds Infinity after step 1, so ckpt-000000001 is not written; no checkpoint was kept, so"
                + " the run starts again from step 0", first.getMessage());
        save(run, 5, false);
        var e = assertThrows(Diverged.class, () -> run.saveCheckpoint(6, model(6), optimizer(Float.NaN), "{}", false));
        assertEquals(tmp + ": optimizer state 'm' holds NaN after step 6, so ckpt-000000006 is not written; the last good checkpoint"
                + " is ckpt-000000005 (step 5)", e.getMessage());
        assertEquals(List.of("ckpt-000000005", "latest"), names(tmp));
    }

    @Test
    void aDamagedManifestIsReportedAndACheckpointWithoutOneIsAnInterruptedWrite() throws Exception {
        RunDir run = new RunDir(tmp);
        save(run, 10, false);
        save(run, 20, false);
        save(run, 30, false);
        Files.writeString(tmp.resolve("ckpt-000000030/manifest.json"), "{\"step\":30,\"sha256\":{\"../x\":\"00\"}}");
        Files.delete(tmp.resolve("ckpt-000000020/manifest.json"));
        RunDir.Scan s = run.scan();
        assertEquals(-1, s.step());
        assertEquals(List.of(tmp.resolve("ckpt-000000030/manifest.json") + ": entry '../x' is not a file name with a SHA-256 in hex"), s.skipped());
        var e = assertThrows(IOException.class, run::loadCheckpoint);
        assertTrue(e.getMessage().startsWith(tmp + ": no checkpoint that verifies; "), e.getMessage());
    }
}
