package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SharpnessTest {
    static final int IN = 3, B = 4;

    /** y = w·x + b as a module with PyTorch names {@code weight}, {@code bias}. */
    static final class LinearModel extends Module {
        final Linear linear;

        LinearModel(long seed) {
            super(1);
            linear = child("linear", new Linear(IN, 1, true, Init.f32(seed)));
        }

        Tensor forward(Tensor x) {
            return linear.forward(x).reshape(x.dim(0));
        }
    }

    /** x (B, IN) and the model's own outputs as targets: an exact fit, L(θ) = 0. */
    static Supplier<Tensor> exactFit(LinearModel m, Tensor x) {
        Tensor y;
        try (var off = GradMode.off()) {
            y = m.forward(x);
        }
        return () -> m.forward(x).sub(y).pow(2.0).mean();
    }

    static Tensor inputs() {
        return Tensor.uniform(new Rng(11), org.biaslab.tensor.DType.F32, -1, 1, B, IN);
    }

    @Test
    void onAnExactlyFittedLinearModelSIsEpsSquaredTimesTheMeanOfTheNoiseOutputsSquared() {
        LinearModel m = new LinearModel(1);
        Tensor x = inputs();
        double eps = 0.02;
        int r = 50;
        double s = new Sharpness(m, new SharpnessConfig(eps, r, 7, "", true)).next(exactFit(m, x))[0];
        // the same draws, made here: weight (1, IN) then bias (1), for every repeat
        Rng rng = new Rng(7);
        float[] xs = x.toFloatArray();
        double expected = 0;
        for (int k = 0; k < r; k++) {
            double[] xi = new double[IN + 1];
            for (int i = 0; i <= IN; i++) xi[i] = rng.normal();
            for (int b = 0; b < B; b++) {
                double out = xi[IN];
                for (int i = 0; i < IN; i++) out += xi[i] * xs[b * IN + i];
                expected += eps * eps * out * out / (B * r);
            }
        }
        assertEquals(expected, s, 1e-3 * expected);
    }

    @Test
    void itsExpectationOnAnExactlyFittedLinearModelIsEpsSquaredTimesMeanNormSquaredPlusOne() {
        LinearModel m = new LinearModel(2);
        Tensor x = inputs();
        double eps = 0.02;
        int r = 20_000;
        double s = new Sharpness(m, new SharpnessConfig(eps, r, 3, "", true)).next(exactFit(m, x))[0];
        // S = ε² ξᵀMξ averaged over draws, M = mean_b x̃ x̃ᵀ with x̃ = (x, 1): E = ε² tr M, Var = 2 ε⁴ tr(M²) / R
        float[] xs = x.toFloatArray();
        double[][] mm = new double[IN + 1][IN + 1];
        for (int b = 0; b < B; b++) {
            for (int i = 0; i <= IN; i++) {
                for (int j = 0; j <= IN; j++) {
                    double xi = i == IN ? 1 : xs[b * IN + i], xj = j == IN ? 1 : xs[b * IN + j];
                    mm[i][j] += xi * xj / B;
                }
            }
        }
        double trace = 0, traceSq = 0;
        for (int i = 0; i <= IN; i++) {
            trace += mm[i][i];
            for (int j = 0; j <= IN; j++) traceSq += mm[i][j] * mm[j][i];
        }
        double expected = eps * eps * trace, sd = eps * eps * Math.sqrt(2 * traceSq / r);
        assertEquals(expected, s, 3 * sd, "E[S] = eps^2 (mean |x|^2 + 1)");
        assertTrue(sd < 0.02 * expected, "the band is tight enough to mean something");
    }

    @Test
    void excludedParametersGetNoNoise() {
        LinearModel m = new LinearModel(3);
        Tensor x = inputs();
        assertEquals(0.0, new Sharpness(m, new SharpnessConfig(0.1, 5, 0, "weight|bias", true)).next(exactFit(m, x))[0]);
        // only the bias moves: every output shifts by ε·ξ_b
        double s = new Sharpness(m, new SharpnessConfig(0.1, 5, 4, "weight", true)).next(exactFit(m, x))[0];
        Rng rng = new Rng(4);
        double expected = 0;
        for (int k = 0; k < 5; k++) expected += 0.01 * Math.pow(rng.normal(), 2) / 5;
        assertEquals(expected, s, 1e-5 * expected);
    }

    static P1Transformer small(long... seeds) {
        return new P1Transformer(16, 2, 2, 8, Init.f32(seeds));
    }

    static Batch batch(int n, int size, long... seeds) {
        BitTask t = BitTask.of(FunctionCatalog.parse("parity", n).get(0).function());
        List<BitTask> tasks = java.util.Collections.nCopies(seeds.length, t);
        return Sampler.uniform(tasks, seeds, size).next(0, 2);
    }

    @Test
    void theModelKeepsItsParameterTensorsAndTheirExactValues() {
        P1Transformer m = small(0);
        Map<String, Tensor> before = m.namedParameters();
        Map<String, float[]> values = new java.util.HashMap<>();
        before.forEach((k, v) -> values.put(k, v.toFloatArray()));
        new Sharpness(m, SharpnessConfig.p1(0)).next(P1Objective.lossOn(m, batch(5, 32, 0)));
        Map<String, Tensor> after = m.namedParameters();
        for (String k : before.keySet()) {
            assertSame(before.get(k), after.get(k), k + " is the same tensor (an optimiser holding it stays valid)");
            assertArrayEquals(values.get(k), after.get(k).toFloatArray(), k);
        }
    }

    @Test
    void fixedDirectionsRepeatForEveryBatchFreshOnesContinue() {
        P1Transformer m = small(1);
        Supplier<Tensor> loss = P1Objective.lossOn(m, batch(5, 32, 1));
        Sharpness fixed = new Sharpness(m, SharpnessConfig.p1(9));
        // equal up to float rounding: the engine's sums may round differently once the JIT compiles a kernel
        double a = fixed.next(loss)[0];
        assertEquals(a, fixed.next(loss)[0], 1e-9 * Math.abs(a));
        Sharpness fresh = new Sharpness(m, new SharpnessConfig(0.02, 10, 9, ParameterNorm.P1_EXCLUDE, false));
        double first = fresh.next(loss)[0];
        assertEquals(fixed.next(loss)[0], first, 1e-9 * Math.abs(first), "the first batch of both sees the seed's directions");
        assertNotEquals(first, fresh.next(loss)[0]);
    }

    @Test
    void theFlatStepsOfTheReplayAreTheStepsTheEagerPathAddsInItsOrder() {
        P1Transformer m = small(3, 5);
        SharpnessConfig config = SharpnessConfig.p1(4);
        Sharpness eager = new Sharpness(m, config);
        List<Tensor> perturbed = eager.perturbed();
        List<Tensor> seen = new java.util.ArrayList<>(); // θ⁰ flat, then θ⁰ + ε·ξ_r flat for every repeat
        Supplier<Tensor> loss = P1Objective.lossOn(m, batch(5, 32, 3, 5));
        eager.next(() -> {
            seen.add(Tensor.concat(0, perturbed.stream().map(p -> p.reshape(-1)).toArray(Tensor[]::new)).copy());
            return loss.get();
        });
        List<Tensor> flat = new Sharpness(m, config).flatSteps(org.biaslab.tensor.Device.CPU);
        assertEquals(config.repeats(), flat.size());
        assertEquals(config.repeats() + 1, seen.size());
        for (int r = 0; r < flat.size(); r++) {
            assertEquals(seen.getFirst().size(), flat.get(r).size(), "repeat " + r + " covers every perturbed value");
            // θ⁰ + the flat step, added as the eager path adds: the same float32 bits as the parameters it perturbed
            assertArrayEquals(seen.get(r + 1).toDoubleArray(), seen.getFirst().add(flat.get(r)).toDoubleArray(), "repeat " + r);
        }
        assertNotEquals(flat.get(0).toDoubleArray()[0], flat.get(1).toDoubleArray()[0], "each repeat its own direction");
    }

    @Test
    void anEnsembleMemberMeasuresAsTheModelAlone() {
        P1Transformer ensemble = small(3, 5);
        Batch both = batch(5, 32, 3, 5);
        double[] s = new Sharpness(ensemble, SharpnessConfig.p1(0)).next(P1Objective.lossOn(ensemble, both));
        assertEquals(2, s.length);
        long[] seeds = {3, 5};
        for (int e = 0; e < 2; e++) {
            P1Transformer solo = small(seeds[e]);
            double alone = new Sharpness(solo, SharpnessConfig.p1(0)).next(P1Objective.lossOn(solo, batch(5, 32, seeds[e])))[0];
            assertEquals(alone, s[e], 1e-6 + 1e-4 * Math.abs(alone), "member " + e);
        }
    }

    @Test
    void positionalEmbeddingsAreExcludedByDefault() {
        P1Transformer m = small(2);
        Batch b = batch(5, 32, 2);
        double withDefault = new Sharpness(m, SharpnessConfig.p1(0)).next(P1Objective.lossOn(m, b))[0];
        double allButPositional = new Sharpness(m, new SharpnessConfig(0.02, 10, 0, "positional_encoding\\.weight", true))
                .next(P1Objective.lossOn(m, b))[0];
        double everything = new Sharpness(m, new SharpnessConfig(0.02, 10, 0, "", true)).next(P1Objective.lossOn(m, b))[0];
        assertEquals(withDefault, allButPositional);
        assertNotEquals(withDefault, everything);
    }
}
