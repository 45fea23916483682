package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The fused attention op against attention composed from matmul and softmax, and against finite differences. */
class AttentionOpTest {
    /** The oracle: softmax(scale·q kᵀ) v per head from differentiable ops. */
    static Tensor composed(Tensor q, Tensor k, Tensor v, int heads, double scale, boolean causal) {
        Tensor scores = split(q, heads).matmulT(split(k, heads)).mul(scale); // (…, H, T, S)
        if (causal) scores = scores.maskedFill(Tensor.causalMask(q.dim(-2), k.dim(-2), q.dtype()), Double.NEGATIVE_INFINITY);
        Tensor z = scores.softmax(-1).matmul(split(v, heads)).transpose(-3, -2); // (…, T, H, dh)
        int[] dims = q.shape().dims();
        return z.reshape(dims);
    }

    private static Tensor split(Tensor x, int heads) {
        int[] dims = x.shape().dims();
        int r = dims.length;
        int[] s = java.util.Arrays.copyOf(dims, r + 1);
        s[r - 1] = heads;
        s[r] = dims[r - 1] / heads;
        return x.reshape(s).transpose(-3, -2);
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertEquals(expected.shape(), actual.shape(), what);
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i), a = actual.get(i);
            assertTrue(Math.abs(e - a) <= tol * Math.max(1, Math.abs(e)), what + " element " + i + ": " + a + " vs " + e);
        }
    }

    private static Tensor[] valueAndGrads(boolean fused, Tensor q0, Tensor k0, Tensor v0, int heads, boolean causal, Tensor w) {
        Tensor q = q0.detach().requiresGrad(true), k = k0.detach().requiresGrad(true), v = v0.detach().requiresGrad(true);
        double scale = 1 / Math.sqrt(q.dim(-1) / heads);
        Tensor z = fused ? Tensor.attention(q, k, v, heads, scale, causal) : composed(q, k, v, heads, scale, causal);
        z.mul(w).sum().backward();
        return new Tensor[] {z.detach(), q.grad(), k.grad(), v.grad()};
    }

    @ParameterizedTest
    @CsvSource({"1, 5, 5, false", "2, 5, 5, true", "4, 7, 7, false", "2, 3, 6, true", "2, 6, 3, false", "2, 33, 40, true"})
    void fusedMatchesComposedAttentionForwardAndBackward(int heads, int t, int s, boolean causal) {
        int width = 16;
        Tensor q = GradCheck.randn(1, 2, 3, t, width), k = GradCheck.randn(2, 2, 3, s, width), v = GradCheck.randn(3, 2, 3, s, width);
        Tensor w = GradCheck.randn(4, 2, 3, t, width);
        Tensor[] fused = valueAndGrads(true, q, k, v, heads, causal, w), ref = valueAndGrads(false, q, k, v, heads, causal, w);
        String[] names = {"z", "dq", "dk", "dv"};
        for (int i = 0; i < 4; i++) assertClose(ref[i], fused[i], 2e-6, names[i]);
    }

    @Test
    void cpuKernelsMatchTheReferenceLoops() {
        Tensor q = GradCheck.randn(5, 4, 9, 24), k = GradCheck.randn(6, 4, 11, 24), v = GradCheck.randn(7, 4, 11, 24);
        Tensor w = GradCheck.randn(8, 4, 9, 24);
        for (boolean causal : new boolean[] {false, true}) {
            java.util.function.Function<Tensor[], Tensor> valueAndGrads = t -> {
                Tensor[] r = valueAndGrads(true, t[0], t[1], t[2], 3, causal, w);
                return Tensor.concat(-2, r[0], r[1], r[2], r[3]);
            };
            GradCheck.matchesReference(valueAndGrads, 1e-5, q, k, v);
        }
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void gradientsMatchFiniteDifferences(boolean causal) {
        GradCheck.check(t -> Tensor.attention(t[0], t[1], t[2], 2, 0.7, causal), GradCheck.randn64(11, 2, 4, 6),
                GradCheck.randn64(12, 2, 5, 6), GradCheck.randn64(13, 2, 5, 6));
    }

    @Test
    void keysThatAreTheValuesGetOneGradientDkPlusDv() {
        Tensor q = GradCheck.randn(51, 3, 2, 24).requiresGrad(true), m = GradCheck.randn(52, 3, 7, 24).requiresGrad(true);
        Tensor w = GradCheck.randn(53, 3, 2, 24);
        Tensor same = Autograd.grad(Tensor.attention(q, m, m, 2, 0.4, false).mul(w).sum(), new Tensor[] {m}, null, false)[0];
        // the values as another tensor with m's values: m's gradient is the sum over both uses, dk + dv
        Tensor apart = Autograd.grad(Tensor.attention(q, m, m.mul(1.0), 2, 0.4, false).mul(w).sum(), new Tensor[] {m}, null, false)[0];
        assertArrayEquals(apart.toFloatArray(), same.toFloatArray(), "the same bits");
        GradCheck.check(t -> Tensor.attention(t[0], t[1], t[1], 2, 0.7, false), GradCheck.randn64(54, 2, 3, 6), GradCheck.randn64(55, 2, 5, 6));
    }

    @Test
    void secondDerivativesMatchComposedAttention() {
        Tensor q0 = GradCheck.randn64(21, 2, 4, 6), k0 = GradCheck.randn64(22, 2, 4, 6), v0 = GradCheck.randn64(23, 2, 4, 6);
        Tensor w = GradCheck.randn64(24, 2, 4, 6), u = GradCheck.randn64(25, 2, 4, 6);
        Tensor[][] results = new Tensor[2][];
        for (int fused = 0; fused < 2; fused++) {
            Tensor q = q0.detach().requiresGrad(true), k = k0.detach().requiresGrad(true), v = v0.detach().requiresGrad(true);
            Tensor z = fused == 1 ? Tensor.attention(q, k, v, 2, 0.5, true) : composed(q, k, v, 2, 0.5, true);
            Tensor dq = Autograd.grad(z.mul(w).sum(), new Tensor[] {q}, null, true)[0];
            results[fused] = Autograd.grad(dq.mul(u).sum(), new Tensor[] {q, k, v}, null, false); // a Hessian-vector product
        }
        for (int i = 0; i < 3; i++) assertClose(results[0][i], results[1][i], 1e-10, "second derivative " + i);
    }

    @Test
    void aPassWithoutGradientsGivesTheSameOutputAndRecordsNothing() {
        // the lanes kernel (S·d_head ≤ 1280: 40·2, 9·24) and the row kernel (40·64), without the probabilities kept
        // for a backward pass
        for (int[] shape : new int[][] {{3, 40, 4}, {2, 9, 48}, {2, 40, 128}}) {
            Tensor q = GradCheck.randn(31, shape).requiresGrad(true), k = GradCheck.randn(32, shape), v = GradCheck.randn(33, shape);
            Tensor recorded = Tensor.attention(q, k, v, 2, 0.5, true), plain;
            try (var off = GradMode.off()) {
                plain = Tensor.attention(q, k, v, 2, 0.5, true);
            }
            assertTrue(recorded.requiresGrad() && !plain.requiresGrad(), "only the recorded pass is on the tape");
            assertArrayEquals(recorded.toFloatArray(), plain.toFloatArray(), "the same bits");
        }
    }

    @Test
    void badShapesAreNamed() {
        Tensor q = GradCheck.randn(1, 2, 4, 6), k = GradCheck.randn(2, 2, 5, 6);
        assertThrows(IllegalArgumentException.class, () -> Tensor.attention(q, k, k, 4, 1, false));
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.attention(q, k, GradCheck.randn(3, 2, 5, 4), 2, 1, false));
        assertTrue(e.getMessage().contains("attention"), e.getMessage());
        assertFalse(Tensor.fitsFusedAttention(q, GradCheck.randn(2, 3, 5, 6), GradCheck.randn(2, 3, 5, 6), 2), "broadcast batches are composed");
        assertTrue(Tensor.fitsFusedAttention(q, k, k, 2));
    }
}
