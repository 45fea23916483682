package org.biaslab.probe.interpret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Attention summaries against closed forms of uniform, identity, previous-token and causal patterns. */
class AttentionSummaryTest {
    private static final int T = 5;

    /** One (1, 1, T, T) pattern from a rule w(q, s). */
    private interface Rule { double w(int q, int s); }

    private static AttentionSummary.Head one(Rule r, Tensor mask) {
        double[] v = new double[T * T];
        for (int q = 0; q < T; q++) for (int s = 0; s < T; s++) v[q * T + s] = r.w(q, s);
        return AttentionSummary.of(Map.of("p", Tensor.of(v, 1, 1, T, T)), mask).getFirst();
    }

    @Test
    void uniformAttentionHasEntropyLogTAndMassOneOverTEverywhere() {
        AttentionSummary.Head h = one((q, s) -> 1.0 / T, null);
        assertEquals(Math.log(T), h.entropy(), 1e-12);
        for (double m : new double[] {h.first(), h.last(), h.self(), h.previous()}) assertEquals(1.0 / T, m, 1e-12);
        // three real tokens of five, uniform over them: ln 3, and only real queries count
        Tensor mask = Tensor.ofInts(new int[] {1, 1, 1, 0, 0}, 1, T);
        AttentionSummary.Head padded = one((q, s) -> s < 3 ? 1.0 / 3 : 0, mask);
        assertEquals(Math.log(3), padded.entropy(), 1e-12);
        assertEquals(1.0 / 3, padded.last(), 1e-12);
    }

    @Test
    void identityPreviousTokenAndCausalUniformPatterns() {
        AttentionSummary.Head identity = one((q, s) -> q == s ? 1 : 0, null);
        assertEquals(1, identity.self(), 1e-12);
        assertEquals(0, identity.entropy(), 1e-12);
        assertEquals(1.0 / T, identity.first(), 1e-12); // only query 0 looks at the first token
        assertEquals(0, identity.previous(), 1e-12);

        AttentionSummary.Head previous = one((q, s) -> s == Math.max(q - 1, 0) ? 1 : 0, null);
        assertEquals(1, previous.previous(), 1e-12);
        assertEquals(2.0 / T, previous.first(), 1e-12); // queries 0 and 1

        AttentionSummary.Head causal = one((q, s) -> s <= q ? 1.0 / (q + 1) : 0, null);
        double entropy = 0, first = 0;
        for (int q = 0; q < T; q++) {
            entropy += Math.log(q + 1) / T;
            first += 1.0 / (q + 1) / T;
        }
        assertEquals(entropy, causal.entropy(), 1e-12);
        assertEquals(first, causal.first(), 1e-12);
        assertEquals(first, causal.self(), 1e-12);
        assertEquals(1.0 / T / T, causal.last(), 1e-12); // only the last query sees the last token, with 1/T
    }

    @Test
    void oneTokenHasNoPreviousAndAModelGivesEveryHead() throws IOException {
        assertNull(AttentionSummary.of(Map.of("p", Tensor.of(new double[] {1}, 1, 1, 1, 1)), null).getFirst().previous());
        PretrainedModel gpt2 = HuggingFace.load(HfFixture.dir("gpt2"));
        PretrainedModel.Input in = TokenInputs.of(gpt2, List.of(new int[] {5, 6, 7, 8}), null, null);
        List<AttentionSummary.Head> heads = AttentionSummary.of(gpt2, in);
        int h = WeightStatistics.of(gpt2.module()).heads().size();
        assertEquals(h, heads.size());
        for (AttentionSummary.Head head : heads) {
            // causal: query 0 sees only itself, so first ≥ 1/T and entropy ≤ mean ln(q + 1)
            assertEquals(true, head.first() >= 1.0 / 4 - 1e-6 && head.entropy() <= (Math.log(2) + Math.log(3) + Math.log(4)) / 4 + 1e-6, head.toString());
        }
    }
}
