package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused backward passes of layer norm and attention, recorded for second derivatives, and their fused double
 * backward: against the same gradients composed from differentiable ops, against float64 central differences, and
 * the float32 CPU kernels against the reference loops.
 */
class DoubleBackwardTest {
    private static final double EPS = 1e-5;

    private static Tensor leaf(Tensor t) {
        return t == null || t.requiresGrad() ? t : t.detach().requiresGrad(true);
    }

    private static Tensor flat(Tensor... ts) {
        Tensor[] rows = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) rows[i] = ts[i].reshape(ts[i].size());
        return Tensor.concat(0, rows);
    }

    /** dx (and dγ, dβ with an affine part) of layer norm for the output gradient g by the engine's recorded backward pass. */
    static Tensor[] layerNormGradients(Tensor g, Tensor x0, Tensor gamma0) {
        try (var on = GradMode.on()) {
            Tensor x = leaf(x0), gamma = leaf(gamma0);
            if (gamma == null) return Autograd.grad(x.layerNorm(null, null, EPS), new Tensor[] {x}, g, true);
            Tensor beta = Tensor.zeros(gamma.dtype(), gamma.shape(), gamma.device()).requiresGrad(true);
            return Autograd.grad(x.layerNorm(gamma, beta, EPS), new Tensor[] {x, gamma, beta}, g, true);
        }
    }

    /** dq, dk, dv of fused attention for the output gradient g by the engine's recorded backward pass. */
    static Tensor[] attentionGradients(Tensor g, Tensor q0, Tensor k0, Tensor v0, int heads, double scale, boolean causal) {
        try (var on = GradMode.on()) {
            Tensor q = leaf(q0), k = leaf(k0), v = leaf(v0);
            return Autograd.grad(Tensor.attention(q, k, v, heads, scale, causal), new Tensor[] {q, k, v}, g, true);
        }
    }

    /** The gradients as one vector: a function whose backward pass is the double backward. */
    static Tensor layerNormFlat(Tensor[] t) {
        return flat(layerNormGradients(t[0], t[1], t.length > 2 ? t[2] : null));
    }

    static Tensor attentionFlat(Tensor[] t, int heads, double scale, boolean causal) {
        return flat(attentionGradients(t[0], t[1], t[2], t[3], heads, scale, causal));
    }

    /** ∇ of Σ_i ⟨cot_i, gradients_i(inputs)⟩ with respect to the inputs, taken in one pass from all the gradients. */
    private static Tensor[] secondOrder(Function<Tensor[], Tensor[]> gradients, Tensor[] inputs, long seed) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < xs.length; i++) xs[i] = inputs[i] == null ? null : inputs[i].detach().requiresGrad(true);
        Tensor[] d = gradients.apply(xs);
        Tensor[] cot = new Tensor[d.length];
        for (int i = 0; i < d.length; i++) cot[i] = Tensor.randn(new Rng(seed + i), d[i].dtype(), d[i].shape().dims());
        return Autograd.grad(d, cot, java.util.Arrays.stream(xs).filter(java.util.Objects::nonNull).toArray(Tensor[]::new), false, false);
    }

    private static void assertClose(Tensor[] expected, Tensor[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].shape(), actual[i].shape(), "output " + i);
            for (int j = 0; j < expected[i].size(); j++) {
                double e = expected[i].get(j), a = actual[i].get(j);
                assertTrue(Math.abs(e - a) <= tol * Math.max(1, Math.abs(e)), "output " + i + " element " + j + ": " + a + " vs " + e);
            }
        }
    }

    @Test
    void layerNormDoubleBackwardMatchesTheComposedGradients() {
        Tensor g = GradCheck.randn64(1, 3, 4, 7), x = GradCheck.randn64(2, 3, 4, 7);
        Tensor[][] gammas = {{GradCheck.randn64(3, 7)}, {GradCheck.randn64(4, 3, 7)}, {null}}; // plain, per member, none
        for (Tensor[] gamma : gammas) {
            Tensor[] in = {g, x, gamma[0]};
            Tensor[] fused = secondOrder(t -> layerNormGradients(t[0], t[1], t[2]), in, 10);
            Tensor[] composed = secondOrder(t -> ComposedBackward.layerNorm(t[0], t[1], t[2], EPS), in, 10);
            assertClose(composed, fused, 1e-10);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 5, 5, false", "2, 5, 5, true", "2, 3, 6, true", "3, 6, 4, false"})
    void attentionDoubleBackwardMatchesTheComposedGradients(int heads, int t, int s, boolean causal) {
        Tensor[] in = {GradCheck.randn64(5, 2, t, 12), GradCheck.randn64(6, 2, t, 12), GradCheck.randn64(7, 2, s, 12), GradCheck.randn64(8, 2, s, 12)};
        Tensor[] fused = secondOrder(u -> attentionGradients(u[0], u[1], u[2], u[3], heads, 0.4, causal), in, 20);
        Tensor[] composed = secondOrder(u -> ComposedBackward.attention(u[0], u[1], u[2], u[3], heads, 0.4, causal), in, 20);
        assertClose(composed, fused, 1e-10);
    }

    /** float32 on the CPU: the lanes' backward recomputes P, and the double backward has the forward kernel write it. */
    @ParameterizedTest
    @CsvSource({"2, 5, 5, true", "3, 6, 4, false"})
    void float32AttentionWithRecomputedProbabilitiesMatchesTheComposedGradients(int heads, int t, int s, boolean causal) {
        Tensor[] in = {GradCheck.randn64(5, 2, t, 12).to(DType.F32), GradCheck.randn64(6, 2, t, 12).to(DType.F32),
                       GradCheck.randn64(7, 2, s, 12).to(DType.F32), GradCheck.randn64(8, 2, s, 12).to(DType.F32)};
        assertTrue(Kernels.of(Device.CPU).recomputesProbabilities(in[1], in[2], heads), "the lanes' path");
        assertClose(ComposedBackward.attention(in[0], in[1], in[2], in[3], heads, 0.4, causal),
                attentionGradients(in[0], in[1], in[2], in[3], heads, 0.4, causal), 1e-5);
        Tensor[] fused = secondOrder(u -> attentionGradients(u[0], u[1], u[2], u[3], heads, 0.4, causal), in, 20);
        Tensor[] composed = secondOrder(u -> ComposedBackward.attention(u[0], u[1], u[2], u[3], heads, 0.4, causal), in, 20);
        assertClose(composed, fused, 1e-4);
    }

    @Test
    void layerNormDoubleBackwardMatchesFiniteDifferences() {
        GradCheck.check(DoubleBackwardTest::layerNormFlat, GradCheck.randn64(11, 2, 3, 6), GradCheck.randn64(12, 2, 3, 6), GradCheck.randn64(13, 6));
        GradCheck.check(DoubleBackwardTest::layerNormFlat, GradCheck.randn64(14, 2, 3, 6), GradCheck.randn64(15, 2, 3, 6), GradCheck.randn64(16, 2, 6));
        GradCheck.check(DoubleBackwardTest::layerNormFlat, GradCheck.randn64(17, 4, 5), GradCheck.randn64(18, 4, 5));
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void attentionDoubleBackwardMatchesFiniteDifferences(boolean causal) {
        GradCheck.check(t -> attentionFlat(t, 2, 0.7, causal), GradCheck.randn64(21, 2, 4, 6), GradCheck.randn64(22, 2, 4, 6),
                GradCheck.randn64(23, 2, 5, 6), GradCheck.randn64(24, 2, 5, 6));
    }

    @Test
    void cpuKernelsMatchTheReferenceLoops() {
        for (Tensor gamma : new Tensor[] {GradCheck.randn(33, 40), GradCheck.randn(34, 3, 40)}) {
            GradCheck.matchesReference(t -> flat(secondOrder(u -> layerNormGradients(u[0], u[1], u[2]), t, 30)), 1e-4,
                    GradCheck.randn(31, 3, 7, 40), GradCheck.randn(32, 3, 7, 40), gamma);
        }
        GradCheck.matchesReference(t -> flat(secondOrder(u -> layerNormGradients(u[0], u[1], null), t, 30)), 1e-4,
                GradCheck.randn(35, 3, 7, 40), GradCheck.randn(36, 3, 7, 40));
        for (boolean causal : new boolean[] {false, true}) {
            GradCheck.matchesReference(t -> flat(secondOrder(u -> attentionGradients(u[0], u[1], u[2], u[3], 3, 0.3, causal), t, 40)),
                    1e-4, GradCheck.randn(41, 4, 9, 24), GradCheck.randn(42, 4, 9, 24), GradCheck.randn(43, 4, 11, 24), GradCheck.randn(44, 4, 11, 24));
        }
    }

    @Test
    void thirdDerivativesSaySoInsteadOfGoingWrong() {
        Tensor x = GradCheck.randn64(51, 3, 5).requiresGrad(true), g = GradCheck.randn64(52, 3, 5).requiresGrad(true);
        Tensor dx = layerNormGradients(g, x, null)[0];
        var e = assertThrows(UnsupportedOperationException.class, () -> Autograd.grad(dx.sum(), new Tensor[] {x}, null, true));
        assertTrue(e.getMessage().contains("third derivatives"), e.getMessage());
    }
}
