package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.biaslab.data.Batch;
import org.biaslab.nn.P1Transformer;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Schedule;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynamicMeasurementsTest {
    @TempDir
    Path tmp;

    static final SharpnessConfig FEW = SharpnessConfig.p1(0).withRepeats(20);

    @Test
    void anUnchangedModelMeasuresIdenticallyAtEveryStepAndTrainingStillUpdatesIt() {
        P1Transformer m = SharpnessTest.small(0);
        Batch fixed = SharpnessTest.batch(5, 64, 0);
        DynamicMeasurements dyn = new DynamicMeasurements(fixed, FEW, new long[] {0});
        AdamW opt = new AdamW(m.namedParameters(), new AdamWConfig(1e-2, 0.9, 0.999, 1e-8, 0.1), Schedule.parse("constant", 10));
        Map<String, double[]> first = dyn.measure(m, 100), second = dyn.measure(m, 200);
        assertEquals(List.of("dynamic/loss", "dynamic/accuracy", "dynamic/sharpness", "dynamic/blowup_encoder_maxs_prod",
                "dynamic/squared_param_norm"), List.copyOf(first.keySet()));
        // equal up to float rounding: the engine's sums may round differently once the JIT compiles a kernel
        for (String k : first.keySet()) assertArrayEquals(first.get(k), second.get(k), 1e-9 * Math.abs(first.get(k)[0]), k);
        // a training step after measuring moves the model: the optimiser still holds the model's tensors
        P1Objective.loss(P1Objective.predict(m, fixed), fixed.y(), 1).backward();
        opt.step();
        Map<String, double[]> third = dyn.measure(m, 300);
        assertNotEquals(first.get("dynamic/loss")[0], third.get("dynamic/loss")[0]);
        assertNotEquals(first.get("dynamic/sharpness")[0], third.get("dynamic/sharpness")[0]);
        assertEquals(ParameterNorm.squared(m, ParameterNorm.P1_EXCLUDE)[0], third.get("dynamic/squared_param_norm")[0]);
        // the directions kept from the first call are those a fresh measurement draws on the moved model
        double fresh = new DynamicMeasurements(fixed, FEW, new long[] {0}).measure(m, 300).get("dynamic/sharpness")[0];
        assertEquals(fresh, third.get("dynamic/sharpness")[0], 1e-9 * Math.abs(fresh));
    }

    @Test
    void theNoisePerturbsEveryParameterButThePositionalEmbeddingsCountedPerMember() {
        P1Transformer one = SharpnessTest.small(0), two = SharpnessTest.small(0, 1);
        long all = 0, positional = 0;
        for (var e : one.namedParameters().entrySet()) {
            all += e.getValue().size();
            if (e.getKey().contains("positional")) positional += e.getValue().size();
        }
        assertTrue(positional > 0 && positional < all);
        assertEquals(all - positional, Sharpness.perturbedValues(one, FEW));
        assertEquals(all - positional, Sharpness.perturbedValues(two, FEW));
    }

    @Test
    void theTrainerLogsThemPerMemberAndEachMemberMeasuresAsItsRunAlone() throws Exception {
        RunConfig a = small(1), b = small(2);
        Trainer.Run ra = run(a, "a"), rb = run(b, "b");
        Trainer ensemble = new Trainer(List.of(ra, rb), null);
        Batch fixed = SharpnessTest.batch(5, 32, 1, 2);
        ensemble.measureEvery(5, new DynamicMeasurements(fixed, FEW, new long[] {1, 2})::measure).run();
        List<Map<String, Object>> lines = rb.dir().metrics().stream().filter(m -> m.containsKey("dynamic/sharpness")).toList();
        assertEquals(List.of(5, 10), lines.stream().map(m -> m.get("step")).toList());

        // run b alone, measured on member b's slice of the batch with its own seed: the same values
        P1Transformer solo = (P1Transformer) new Trainer(List.of(run(b, "b-solo")), null).model();
        solo.load(rb.dir().loadCheckpoint().model());
        int[] bits = fixed.x().toIntArray();
        float[] y = fixed.y().toFloatArray();
        Batch slice = new Batch(Tensor.ofInts(java.util.Arrays.copyOfRange(bits, 32 * 5, 64 * 5), 32, 5),
                Tensor.of(java.util.Arrays.copyOfRange(y, 32, 64), 32));
        Map<String, double[]> alone = new DynamicMeasurements(slice, FEW, new long[] {2}).measure(solo, 10);
        Map<String, Object> logged = lines.get(1);
        for (String k : alone.keySet()) {
            double v = ((Number) logged.get(k)).doubleValue();
            assertEquals(alone.get(k)[0], v, 1e-6 + 1e-4 * Math.abs(v), k);
        }
        assertTrue(((Number) logged.get("dynamic/blowup_encoder_maxs_prod")).doubleValue() > 0);
    }

    static RunConfig small(long seed) {
        return RunConfig.defaults().with(Map.of("task", "parity", "n", 5, "d", 16, "batch", 32, "steps", 10, "seed", seed,
                "maxLen", 8)).with(Map.of("logEvery", 5, "evalEvery", 10, "evalBatches", 1, "checkpointEvery", 10));
    }

    private Trainer.Run run(RunConfig c, String name) throws Exception {
        RunDir dir = new RunDir(tmp.resolve(name));
        dir.init(c);
        return new Trainer.Run(c, dir);
    }
}
