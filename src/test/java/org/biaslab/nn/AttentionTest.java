package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AttentionTest {
    @Test
    void causalAttentionIgnoresLaterPositions() {
        MultiheadAttention a = new MultiheadAttention(8, 2, true, Init.f32(1));
        Tensor x = Tensor.randn(new Rng(2), DType.F32, 2, 6, 8);
        Tensor changed = Tensor.concat(1, x.slice(1, 0, 4), Tensor.randn(new Rng(3), DType.F32, 2, 2, 8));
        Tensor y1 = a.forward(x, x, true, null), y2 = a.forward(changed, changed, true, null);
        assertArrayEquals(y1.slice(1, 0, 4).toFloatArray(), y2.slice(1, 0, 4).toFloatArray());
        assertNotEquals(y1.slice(1, 4, 6).toFloatArray()[0], y2.slice(1, 4, 6).toFloatArray()[0]);
    }

    @Test
    void fusedHeadsAgreeWithTheHookedComposedPath() {
        MultiheadAttention a = new MultiheadAttention(16, 4, true, Init.f32(7));
        Tensor x = Tensor.randn(new Rng(8), DType.F32, 3, 6, 16);
        for (boolean causal : new boolean[] {false, true}) {
            Tensor fused = a.forward(x, x, causal, null);
            float[] composed;
            try (var cap = a.hooks().capture("hook_pattern")) {
                composed = a.forward(x, x, causal, null).toFloatArray();
                assertEquals(1, cap.values().size(), "the hook sees the composed pattern");
            }
            float[] f = fused.toFloatArray();
            for (int i = 0; i < f.length; i++) assertEquals(composed[i], f[i], 2e-6, "element " + i);
        }
    }

    @Test
    void paddedKeysGetNoAttention() {
        MultiheadAttention a = new MultiheadAttention(8, 2, true, Init.f32(1));
        Tensor x = Tensor.randn(new Rng(2), DType.F32, 2, 5, 8);
        Tensor pad = Tensor.ofInts(new int[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 1}, 2, 5);
        try (var cap = a.hooks().capture("hook_pattern")) {
            a.forward(x, x, false, pad);
            float[] p = cap.last("hook_pattern").toFloatArray(); // (2, 2, 5, 5)
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < 5; i++) {
                    assertEquals(0f, p[((0 * 2 + h) * 5 + i) * 5 + 3]);
                    assertEquals(0f, p[((0 * 2 + h) * 5 + i) * 5 + 4]);
                    assertEquals(0f, p[((1 * 2 + h) * 5 + i) * 5 + 4]);
                }
            }
        }
    }

    @Test
    void scratchpadGreedyDecodingAgreesWithTeacherForcing() {
        P1ScratchpadTransformer m = new P1ScratchpadTransformer(16, 1, 2, 16, Init.f32(4));
        Tensor x = Tensor.randint(new Rng(5), 2, 3, 6);
        int[] y = m.autoregressive(x, Tensor.zeros(3, 6)).toIntArray();
        int[] in = new int[3 * 6];
        for (int r = 0; r < 3; r++) {
            in[r * 6] = P1ScratchpadTransformer.BOS;
            System.arraycopy(y, r * 6, in, r * 6 + 1, 5);
        }
        float[] forced = m.forward(x, Tensor.ofInts(in, 3, 6)).toFloatArray();
        for (int i = 0; i < y.length; i++) assertEquals(y[i], forced[i] > 0.5f ? 1 : 0, "position " + i);
    }

    @Test
    void greedyDecodingByFixedPointsGivesTheReferencesOnePositionPerPassDecodingFromAnyGuess() {
        int n = 12, rows = 64;
        for (long seed = 0; seed < 3; seed++) {
            P1ScratchpadTransformer m = new P1ScratchpadTransformer(16, 2, 2, 16, Init.f32(seed));
            Tensor x = Tensor.randint(new Rng(10 + seed), 2, rows, n);
            // an untrained model's outputs sit on one side of 0.5: shift the head's bias to put their median at 0.5,
            // so that what it decodes depends on the outputs before
            float[] out = m.forward(x, Tensor.randint(new Rng(30 + seed), 3, rows, n)).toFloatArray();
            java.util.Arrays.sort(out);
            Tensor bias = m.namedParameters().get("linear_head.bias");
            org.biaslab.tensor.InPlace.copy(bias, bias.add(0.5 - out[out.length / 2]));
            int[] reference = decodedOnePositionPerPass(m, x);
            int ones = 0;
            for (int v : reference) ones += v;
            assertTrue(ones > 0 && ones < reference.length, "an untrained model decodes both 0 and 1");
            Tensor right = Tensor.of(java.util.Arrays.stream(reference).asDoubleStream().toArray(), rows, n).to(DType.F32);
            for (Tensor guess : new Tensor[] {Tensor.zeros(rows, n), Tensor.randint(new Rng(20 + seed), 2, rows, n).to(DType.F32), right}) {
                assertArrayEquals(reference, m.autoregressive(x, guess).toIntArray());
            }
        }
    }

    /** P1's {@code autoregressive_answer}: n passes, each over the outputs so far, keeping the last position's. */
    private static int[] decodedOnePositionPerPass(P1ScratchpadTransformer m, Tensor x) {
        int n = x.shape().dims()[1], rows = x.shape().dims()[0];
        int[] y = new int[rows];
        java.util.Arrays.fill(y, P1ScratchpadTransformer.BOS);
        for (int t = 1; t <= n; t++) {
            float[] out = m.forward(x, Tensor.ofInts(y, rows, t)).toFloatArray();
            int[] next = new int[rows * (t + 1)];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(y, r * t, next, r * (t + 1), t);
                next[r * (t + 1) + t] = out[r * t + t - 1] > 0.5f ? 1 : 0;
            }
            y = next;
        }
        int[] answer = new int[rows * n];
        for (int r = 0; r < rows; r++) System.arraycopy(y, r * (n + 1) + 1, answer, r * n, n);
        return answer;
    }

    @Test
    void scratchpadModelNamesFollowNnTransformer() {
        var names = new P1ScratchpadTransformer(16, 1, 2, 16, Init.f32(0)).namedParameters().keySet();
        for (String n : new String[] {"model.encoder.layers.0.self_attn.in_proj_weight", "model.encoder.norm.weight",
                "model.decoder.layers.0.multihead_attn.in_proj_weight", "model.decoder.layers.0.norm3.bias",
                "model.decoder.norm.bias", "positional_encoding.weight", "linear_head.weight"}) {
            org.junit.jupiter.api.Assertions.assertTrue(names.contains(n), n);
        }
    }
}
