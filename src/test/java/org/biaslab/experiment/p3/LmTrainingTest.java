package org.biaslab.experiment.p3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Rng;
import org.biaslab.train.Diverged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmTrainingTest {
    static final String[] CYCLE = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"};

    /** Lines of six consecutive words of a cycle from a random start: every target follows from the token before it. */
    static Path cyclicCorpus(Path dir, int lines) throws Exception {
        Rng rng = new Rng(42);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            int start = rng.nextInt(CYCLE.length);
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 6; k++) sb.append(k == 0 ? "" : " ").append(CYCLE[(start + k) % CYCLE.length]);
            out.add(sb.toString());
        }
        Path f = dir.resolve("cyclic.txt");
        Files.write(f, out);
        return f;
    }

    static LmRunConfig config(Path corpus, int epochs) {
        return LmRunConfig.defaults(corpus.toString()).with(Map.of("epochs", epochs, "logEvery", 5, "maxLen", 16));
    }

    @Test
    void aTinyModelLearnsARepetitiveCorpusAndItsNormGrows(@TempDir Path dir) throws Exception {
        LmRunConfig c = config(cyclicCorpus(dir, 200), 4); // 180 training lines: 11 steps per epoch, 44 in all
        LmTraining.Result r = LmTraining.run(c, dir.resolve("run"), Device.CPU, null, null);
        List<Map<String, Object>> epochs = r.dir().metrics().stream().filter(m -> m.containsKey("epoch")).toList();
        assertEquals(5, epochs.size(), "epoch 0 (initialisation) and 4 epochs");
        double first = num(epochs.get(0), "dev/loss"), last = num(epochs.get(4), "dev/loss");
        assertTrue(first > 2 && last < 0.15, "dev loss " + first + " -> " + last);
        assertTrue(num(epochs.get(4), "dev/acc1") > 0.95, "accuracy " + epochs.get(4));
        assertEquals(Math.exp(last), num(epochs.get(4), "dev/ppl"), 1e-9);
        assertTrue(num(epochs.get(4), "param_norm") > num(epochs.get(0), "param_norm"));
        for (int k = 1; k < 5; k++) assertTrue(num(epochs.get(k), "encoder_norm") > num(epochs.get(k - 1), "encoder_norm"), "epoch " + k);
        assertEquals(List.of(0L, 11L, 22L, 33L, 44L), r.dir().checkpointSteps(), "one snapshot per epoch");
        assertTrue(Files.exists(dir.resolve("run/ckpt-000000044/optimizer.safetensors")));
        assertTrue(Files.exists(dir.resolve("run/ckpt-000000033/optimizer.safetensors")), "the previous checkpoint is the fallback");
        assertTrue(!Files.exists(dir.resolve("run/ckpt-000000022/optimizer.safetensors")), "only the last two keep optimizer state");
        assertTrue(r.dir().finished());
    }

    /**
     * On the GPU, an ensemble whose stacked embedding tables take the counting-sort scatter (3 × 10,000 rows × 768
     * indices per step, above 2^24) trains to the same bits twice.
     */
    @Test
    void aGpuEnsembleWithLargeTablesIsBitwiseRepeatable(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.biaslab.tensor.cuda.Cuda.available(), "skipped: no CUDA device");
        List<String> lines = new ArrayList<>(); // 700 lines of 15 words: a vocabulary of 10,000 (capped) words
        for (int i = 0; i < 700; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 15; k++) sb.append(k == 0 ? "" : " ").append("w").append(i * 15 + k);
            lines.add(sb.toString());
        }
        Path corpus = dir.resolve("wide.txt");
        Files.write(corpus, lines);
        LmRunConfig c = config(corpus, 1).with(Map.of("seeds", List.of(0, 1, 2)));
        LmTraining.Result a = LmTraining.run(c, dir.resolve("a"), Device.CUDA, null, null);
        LmTraining.Result b = LmTraining.run(c, dir.resolve("b"), Device.CUDA, null, null);
        assertTrue(a.model().namedParameters().values().iterator().next().shape().dim(0) == 3, "an ensemble of 3");
        for (var e : a.model().namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), b.model().namedParameters().get(e.getKey()).toFloatArray(), 0, e.getKey());
        }
    }

    /** A run stopped in the middle of its second epoch resumes from the first epoch's end and ends as an uninterrupted one. */
    @Test
    void resumingAfterAnInterruptedEpochGivesTheUninterruptedResult(@TempDir Path dir) throws Exception {
        LmRunConfig c = config(cyclicCorpus(dir, 100), 2).with(Map.of("seeds", List.of(3, 4)));
        LmTraining.EpochCallback cb = (model, epoch, data) -> Map.of("callback/epoch", new double[] {epoch, 10 + epoch});
        LmTraining.Result whole = LmTraining.run(c, dir.resolve("whole"), Device.CPU, null, cb);
        assertThrows(IllegalStateException.class, () -> LmTraining.run(c, dir.resolve("cut"), Device.CPU, (step, total, loss, rate) -> {
            if (step == 8) throw new IllegalStateException("interrupted");
        }, cb));
        assertEquals(5, new org.biaslab.train.RunDir(dir.resolve("cut")).latestStep(), "the first epoch (5 steps) was saved");
        LmTraining.Result resumed = LmTraining.run(c, dir.resolve("cut"), Device.CPU, null, cb);
        for (var e : whole.model().namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), resumed.model().namedParameters().get(e.getKey()).toFloatArray(), 0, e.getKey());
        }
        assertEquals(whole.dir().metrics(), resumed.dir().metrics());
        assertEquals(12.0, num(whole.dir().metrics().getLast(), "callback/epoch"), "member 1's callback value after epoch 2");
        assertEquals(4L, ((Number) whole.dir().metrics().getLast().get("seed")).longValue());
    }

    /** A damaged newest checkpoint is noted and passed over: the run resumes from the epoch before and ends the same. */
    @Test
    void aDamagedCheckpointIsPassedOverAndTheRunStillEndsAsAnUndamagedOne(@TempDir Path dir) throws Exception {
        LmRunConfig c = config(cyclicCorpus(dir, 100), 2);
        LmTraining.Result whole = LmTraining.run(c, dir.resolve("whole"), Device.CPU, null, null);
        assertThrows(IllegalStateException.class, () -> LmTraining.run(c, dir.resolve("cut"), Device.CPU, (step, total, loss, rate) -> {
            if (step == 8) throw new IllegalStateException("interrupted");
        }, null));
        Path model = dir.resolve("cut/ckpt-000000005/model.safetensors");
        byte[] b = Files.readAllBytes(model);
        b[b.length - 1] ^= 1;
        Files.write(model, b);
        List<String> notes = new ArrayList<>();
        LmTraining.Result resumed = LmTraining.run(c, dir.resolve("cut"), Device.CPU, new LmTraining.Listener() {
            @Override
            public void progress(long step, long total, double meanLoss, double tokensPerSecond) {}

            @Override
            public void note(String line) {
                notes.add(line);
            }
        }, null);
        assertEquals(List.of(model + ": SHA-256 does not match the one in manifest.json: the file or the manifest was damaged after writing;"
                + " resuming from ckpt-000000000"), notes);
        for (var e : whole.model().namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), resumed.model().namedParameters().get(e.getKey()).toFloatArray(), 0, e.getKey());
        }
        assertEquals(whole.dir().metrics(), resumed.dir().metrics());
    }

    @Test
    void aNanLossStopsTheRunAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        LmRunConfig c = config(cyclicCorpus(dir, 100), 2).with(Map.of("optimizer", "sgd", "lr", 1e30));
        Diverged d = assertThrows(Diverged.class, () -> LmTraining.run(c, dir.resolve("run"), Device.CPU, null, null));
        assertTrue(d.getMessage().contains("the last good checkpoint is ckpt-000000000 (step 0)"), d.getMessage());
        assertEquals(0, new org.biaslab.train.RunDir(dir.resolve("run")).latestStep());
    }

    static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
