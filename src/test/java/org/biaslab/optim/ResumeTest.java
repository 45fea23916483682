package org.biaslab.optim;

import static org.biaslab.optim.Fixtures.copy;
import static org.biaslab.optim.Fixtures.named;
import static org.biaslab.optim.Fixtures.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** State export and import: a run stopped and restarted from its state ends bitwise where an uninterrupted one does. */
class ResumeTest {
    private static final int STEPS = 10, STOP = 4;
    private static final Tensor TARGET = randn(9, DType.F32, 3, 4);

    /** A training step on ½‖w − target‖² + ‖b‖²; b gets no gradient at every third step. */
    private static void trainStep(Optimizer<?> opt, int k) {
        Tensor w = opt.params().get("w"), b = opt.params().get("b");
        opt.zeroGrad();
        Tensor loss = w.sub(TARGET).pow(2.0).sum().mul(0.5);
        if (k % 3 != 2) loss = loss.add(b.pow(2.0).sum());
        loss.backward();
        GradClip.clipNorm(opt.params().values(), 2.0);
        opt.step();
    }

    private static void check(Function<LinkedHashMap<String, Tensor>, Optimizer<?>> make, List<String> stateKeys) {
        Optimizer<?> straight = make.apply(named("w", randn(1, DType.F32, 3, 4), "b", randn(2, DType.F32, 4)));
        for (int k = 0; k < STEPS; k++) trainStep(straight, k);

        Optimizer<?> first = make.apply(named("w", randn(1, DType.F32, 3, 4), "b", randn(2, DType.F32, 4)));
        for (int k = 0; k < STOP; k++) trainStep(first, k);
        Map<String, Tensor> saved = first.state();
        assertEquals(stateKeys, List.copyOf(saved.keySet()));
        // the process dies here; a new one reloads the weights and the optimiser state
        Optimizer<?> resumed = make.apply(named("w", copy(first.params().get("w")), "b", copy(first.params().get("b"))));
        resumed.load(saved);
        for (int k = STOP; k < STEPS; k++) trainStep(resumed, k);

        assertEquals(STEPS, resumed.steps());
        for (String name : List.of("w", "b")) {
            assertArrayEquals(straight.params().get(name).toFloatArray(), resumed.params().get(name).toFloatArray(), name);
        }
    }

    private static AdamW adamw(LinkedHashMap<String, Tensor> params) {
        return new AdamW(params, AdamWConfig.P1, Schedule.parse("cosine:0.1:3", STEPS));
    }

    @Test
    void adamwResumesBitwise() {
        check(ResumeTest::adamw, List.of("step", "exp_avg.w", "exp_avg_sq.w", "step.w", "exp_avg.b", "exp_avg_sq.b", "step.b"));
    }

    @Test
    void sgdResumesBitwise() {
        SgdConfig config = new SgdConfig(0.05, 0.9, 0, 1e-4, true);
        check(params -> new Sgd(params, config, Schedule.warmup(3)), List.of("step", "momentum_buffer.w", "momentum_buffer.b"));
    }

    @Test
    void exportedStateIsASnapshot() {
        AdamW opt = adamw(named("w", randn(1, DType.F32, 3, 4), "b", randn(2, DType.F32, 4)));
        trainStep(opt, 0);
        Map<String, Tensor> saved = opt.state();
        float[] before = saved.get("exp_avg.w").toFloatArray();
        trainStep(opt, 1);
        assertArrayEquals(before, saved.get("exp_avg.w").toFloatArray());
        assertEquals(1, saved.get("step").item());
    }

    private static String loadError(Map<String, Tensor> state) {
        AdamW opt = adamw(named("w", randn(1, DType.F32, 3, 4), "b", randn(2, DType.F32, 4)));
        trainStep(opt, 0);
        Map<String, Tensor> before = opt.state();
        String message = assertThrows(IllegalArgumentException.class, () -> opt.load(state)).getMessage();
        // a failed load changes nothing
        Map<String, Tensor> after = opt.state();
        assertEquals(before.keySet(), after.keySet());
        for (String key : before.keySet()) assertArrayEquals(before.get(key).toDoubleArray(), after.get(key).toDoubleArray(), key);
        return message;
    }

    @Test
    void mismatchedStateIsRejectedNamingTheTensor() {
        AdamW source = adamw(named("w", randn(1, DType.F32, 3, 4), "b", randn(2, DType.F32, 4)));
        trainStep(source, 0);
        Map<String, Tensor> good = source.state();

        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("exp_avg_sq.b");
        assertEquals("AdamW.load: 'exp_avg_sq.b' is missing while other state of 'b' is present", loadError(missing));

        Map<String, Tensor> shape = new LinkedHashMap<>(good);
        shape.put("exp_avg.w", Tensor.zeros(4, 3));
        assertEquals("AdamW.load: 'exp_avg.w' is F32 [4, 3] but the parameter is F32 [3, 4]", loadError(shape));

        Map<String, Tensor> dtype = new LinkedHashMap<>(good);
        dtype.put("exp_avg.w", Tensor.zeros(DType.F64, good.get("exp_avg.w").shape()));
        assertTrue(loadError(dtype).contains("'exp_avg.w' is F64 [3, 4]"));

        Map<String, Tensor> unknown = new LinkedHashMap<>(good);
        unknown.put("exp_avg.encoder.w", Tensor.zeros(3, 4));
        assertEquals("AdamW.load: unexpected state tensor 'exp_avg.encoder.w' (no such state key or parameter)", loadError(unknown));

        Map<String, Tensor> noStep = new LinkedHashMap<>(good);
        noStep.remove("step");
        assertEquals("AdamW.load: 'step' is missing", loadError(noStep));

        Map<String, Tensor> badStep = new LinkedHashMap<>(good);
        badStep.put("step.w", Tensor.scalar(DType.F64, 1.5));
        assertTrue(loadError(badStep).startsWith("AdamW.load: 'step.w' must hold one non-negative integer"));
    }
}
