package org.biaslab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path tmp;

    /** A small, fast configuration: d 16, batch 64, n 5. */
    static RunConfig small(String task, long seed, long steps) {
        return RunConfig.defaults().with(fields("task", task, "n", 5, "d", 16, "batch", 64, "steps", steps, "seed", seed,
                "maxLen", 8, "logEvery", 5, "evalEvery", 10, "evalBatches", 2, "checkpointEvery", 10));
    }

    private Trainer.Run run(RunConfig c, String name) throws Exception {
        RunDir dir = new RunDir(tmp.resolve(name));
        dir.init(c);
        return new Trainer.Run(c, dir);
    }

    private static Map<String, Tensor> finalModel(Trainer.Run r) throws Exception {
        return r.dir().loadCheckpoint().model();
    }

    @Test
    void anEnsembleTrainsEachMemberExactlyAsAloneIncludingDifferentTargetsAndRates() throws Exception {
        RunConfig a = small("parity", 1, 20), b = small("majority", 2, 20).with(Map.of("lr", 1e-3));
        Trainer.Run ea = run(a, "ens-a"), eb = run(b, "ens-b");
        new Trainer(List.of(ea, eb), null).run();
        Trainer.Run sa = run(a, "solo-a"), sb = run(b, "solo-b");
        new Trainer(List.of(sa), null).run();
        new Trainer(List.of(sb), null).run();
        assertSameTensors(finalModel(sa), finalModel(ea));
        assertSameTensors(finalModel(sb), finalModel(eb));
        assertEquals(Files.readString(sa.dir().path().resolve("metrics.jsonl")).replaceAll("\"steps_per_s\":[^,}]*", ""),
                Files.readString(ea.dir().path().resolve("metrics.jsonl")).replaceAll("\"steps_per_s\":[^,}]*", ""));
    }

    @Test
    void aLengthRangeTrainsAndKeepsEnsembleMembersEqualToSoloRuns() throws Exception {
        RunConfig a = small("parity", 1, 12).with(Map.of("minN", 3)), b = a.with(Map.of("seed", 2L));
        Trainer.Run ea = run(a, "range-a"), eb = run(b, "range-b"), sb = run(b, "range-solo-b");
        new Trainer(List.of(ea, eb), null).run();
        new Trainer(List.of(sb), null).run();
        assertSameTensors(finalModel(sb), finalModel(eb));
        assertTrue(Double.isFinite(((Number) ea.dir().summary().get("eval/loss")).doubleValue()));
    }

    @Test
    void aKilledRunResumesToBitwiseTheSameResult() throws Exception {
        RunConfig c = small("parity", 3, 30);
        Trainer.Run whole = run(c, "whole");
        new Trainer(List.of(whole), null).run();

        Trainer.Run killed = run(c, "killed");
        RuntimeException kill = new RuntimeException("simulated kill");
        var e = assertThrows(RuntimeException.class, () -> new Trainer(List.of(killed), (step, total, loss, rate) -> {
            if (step == 17) throw kill;
        }).run());
        assertEquals(kill, e);
        assertEquals(10, killed.dir().latestStep());
        new Trainer(List.of(killed), null).run();
        assertEquals(30, killed.dir().latestStep());
        assertSameTensors(finalModel(whole), finalModel(killed));
        assertSameTensors(whole.dir().loadCheckpoint().optimizer(), killed.dir().loadCheckpoint().optimizer());
        assertEquals(whole.dir().metrics().size(), killed.dir().metrics().size());
    }

    @Test
    void configsFromYamlWithOverridesAndClearErrors() throws Exception {
        Path yaml = tmp.resolve("run.yaml");
        Files.writeString(yaml, "task: majority\nn: 7\nsteps: 50\n");
        RunConfig c = RunConfig.read(yaml);
        assertEquals("majority", c.task());
        assertEquals(7, c.n());
        assertEquals(1024, c.batch());
        assertEquals(RunConfig.fromJson(c.toJson()), c);
        Files.writeString(yaml, "task: majority\nlearning_rate: 0.1\n");
        var e = assertThrows(IllegalArgumentException.class, () -> RunConfig.read(yaml));
        assertEquals(yaml + ": unknown field 'learning_rate'", e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> c.with(Map.of("n", 0)));
        assertTrue(e2.getMessage().contains("n must be at least 1, got 0"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Trainer.task(c.with(Map.of("task", "parrity"))));
        assertTrue(e3.getMessage().contains("unknown function 'parrity'"), e3.getMessage());
    }

    @Test
    void checkpointsAreSafetensorsWithPyTorchNamesAndTheConfigInTheMetadata() throws Exception {
        Trainer.Run r = run(small("first", 4, 10), "ck");
        new Trainer(List.of(r), null).run();
        Path model = r.dir().path().resolve("ckpt-000000010/model.safetensors");
        var contents = org.biaslab.io.TensorFile.load(model);
        assertTrue(contents.tensors().containsKey("encoders.layers.1.self_attn.in_proj_weight"));
        assertEquals("10", contents.metadata().get("biaslab.step"));
        assertEquals(r.config(), RunConfig.fromJson(contents.metadata().get("biaslab.config")));
        assertTrue(r.dir().finished());
    }

    @Test
    void measurementsDuringTrainingAreLoggedPerMemberAtTheirInterval() throws Exception {
        Trainer.Run a = run(small("parity", 1, 12), "m-a"), b = run(small("majority", 2, 12), "m-b");
        Trainer t = new Trainer(List.of(a, b), null).measureEvery(4, (model, step) -> {
            // the squared norm of the head per member, and the step, as a per-member value
            float[] w = model.namedParameters().get("linear_head.weight").toFloatArray();
            double[] sq = new double[2];
            for (int i = 0; i < w.length; i++) sq[i / (w.length / 2)] += w[i] * w[i];
            return Map.of("dynamic/head_sq", sq, "dynamic/step", new double[] {step, step});
        });
        t.run();
        List<Map<String, Object>> lines = a.dir().metrics();
        List<Object> steps = lines.stream().filter(m -> m.containsKey("dynamic/step")).map(m -> m.get("step")).toList();
        assertEquals(List.of(4, 8, 12), steps);
        Map<String, Tensor> finalB = b.dir().loadCheckpoint().model();
        double expected = finalB.get("linear_head.weight").pow(2.0).sum().item();
        Object logged = b.dir().metrics().stream().filter(m -> ((Number) m.get("step")).intValue() == 12).findFirst().orElseThrow().get("dynamic/head_sq");
        assertEquals(expected, ((Number) logged).doubleValue(), 1e-5 * expected);
    }

    @Test
    void parityOnFiveBitsIsLearned() throws Exception {
        RunConfig c = RunConfig.defaults().with(fields("task", "parity", "n", 5, "d", 32, "batch", 128, "steps", 1500,
                "lr", 3e-3, "weightDecay", 0.0, "maxLen", 8, "evalEvery", 1500, "evalBatches", 4, "checkpointEvery", 1500));
        Trainer.Run r = run(c, "parity5");
        new Trainer(List.of(r), null).run();
        Map<String, Object> s = r.dir().summary();
        assertEquals(1.0, ((Number) s.get("eval/accuracy")).doubleValue());
        assertTrue(((Number) s.get("eval/loss")).doubleValue() < 1e-2, s.toString());
    }

    static Map<String, Object> fields(Object... keyValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).toDoubleArray(), actual.get(k).toDoubleArray(), k);
        }
    }
}
