package org.biaslab.probe.interpret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.Init;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.bert.BertForMaskedLm;
import org.biaslab.nn.bert.BertMlmHead;
import org.biaslab.nn.bert.BertModel;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Activation patching's invariants and the logit lens's last layer, on the tiny GPT-2 and BERT checkpoints. */
class ActivationPatchingTest {
    private static PretrainedModel.Input ids(PretrainedModel m, int... ids) {
        return TokenInputs.of(m, List.of(ids), null, null);
    }

    @Test
    void patchingWithItselfChangesNothingAndTheFinalResidualGivesTheSourceOutput() throws IOException {
        PretrainedModel gpt2 = HuggingFace.load(HfFixture.dir("gpt2"));
        PretrainedModel.Input a = ids(gpt2, 5, 17, 3, 40), b = ids(gpt2, 5, 22, 3, 41);
        var self = ActivationPatching.run(gpt2, b, b, "h.0.attn.hook_z");
        assertArrayEquals(self.clean().toFloatArray(), self.patched().toFloatArray());

        var last = ActivationPatching.run(gpt2, a, b, "h." + (gpt2.layers() - 1) + ".hook_resid_post");
        assertArrayEquals(last.source().toFloatArray(), last.patched().toFloatArray());
        assertEquals(List.of(1, 4, 99), Arrays.stream(last.patched().shape().dims()).boxed().toList()); // logits (B, T, V)
        assertFalse(Arrays.equals(last.clean().toFloatArray(), last.patched().toFloatArray()), "the inputs differ, so must the outputs");

        PretrainedModel bert = HuggingFace.load(HfFixture.dir("bert"));
        var resid = ActivationPatching.run(bert, ids(bert, 2, 17, 3), ids(bert, 2, 30, 3), "encoder.layer." + (bert.layers() - 1) + ".hook_resid_post");
        assertArrayEquals(resid.source().toFloatArray(), resid.patched().toFloatArray());
        // patching every layer's attention pattern keeps the values of B: the output lies strictly between
        var pattern = ActivationPatching.run(bert, ids(bert, 2, 17, 3), ids(bert, 2, 30, 3), "**.hook_pattern");
        assertEquals(bert.layers(), pattern.points().size());
        assertFalse(Arrays.equals(pattern.clean().toFloatArray(), pattern.patched().toFloatArray()));
        assertFalse(Arrays.equals(pattern.source().toFloatArray(), pattern.patched().toFloatArray()));

        var e = assertThrows(IllegalArgumentException.class, () -> ActivationPatching.run(gpt2, ids(gpt2, 5, 6), b, "h.0.hook_resid_post"));
        assertTrue(e.getMessage().startsWith("h.0.hook_resid_post: the source run has shape "), e.getMessage());
    }

    @Test
    void patchingOnePositionMovesOnlyThatTokenAtTheEndAndOnlyLaterOnesUnderCausality() throws IOException {
        PretrainedModel bert = HuggingFace.load(HfFixture.dir("bert"));
        var last = ActivationPatching.run(bert, ids(bert, 2, 17, 40, 3), ids(bert, 2, 30, 41, 3), "encoder.layer." + (bert.layers() - 1) + ".hook_resid_post", 1);
        int d = last.clean().dim(2);
        float[] a = last.source().toFloatArray(), b = last.clean().toFloatArray(), p = last.patched().toFloatArray();
        for (int t = 0; t < 4; t++) {
            float[] expected = t == 1 ? a : b; // the last residual is the output: position 1 is A's, the others B's
            assertArrayEquals(Arrays.copyOfRange(expected, t * d, (t + 1) * d), Arrays.copyOfRange(p, t * d, (t + 1) * d), "token " + t);
        }
        PretrainedModel gpt2 = HuggingFace.load(HfFixture.dir("gpt2"));
        var early = ActivationPatching.run(gpt2, ids(gpt2, 5, 17, 3, 40), ids(gpt2, 5, 22, 4, 41), "h.0.attn.hook_z", 2);
        int v = early.clean().dim(2);
        float[] c = early.clean().toFloatArray(), q = early.patched().toFloatArray();
        assertArrayEquals(Arrays.copyOfRange(c, 0, 2 * v), Arrays.copyOfRange(q, 0, 2 * v), "tokens before the patch cannot see it");
        assertFalse(Arrays.equals(Arrays.copyOfRange(c, 2 * v, 4 * v), Arrays.copyOfRange(q, 2 * v, 4 * v)));
        var e = assertThrows(IllegalArgumentException.class, () -> ActivationPatching.run(gpt2, ids(gpt2, 5, 6), ids(gpt2, 7, 8), "h.0.hook_resid_post", 2));
        assertEquals("h.0.hook_resid_post: position 2 is outside its 2 tokens", e.getMessage());
    }

    @Test
    void theLogitLensOfTheLastStateIsTheModelsLogits() throws IOException {
        PretrainedModel gpt2 = HuggingFace.load(HfFixture.dir("gpt2"));
        BertModel encoder = (BertModel) HuggingFace.load(HfFixture.dir("bert"));
        BertForMaskedLm bert = new BertForMaskedLm(encoder, new BertMlmHead(encoder.config(), Init.f32(4)));
        for (PretrainedModel m : List.of(gpt2, bert)) {
            PretrainedModel.Input in = ids(m, 2, 17, 40, 3);
            List<Tensor> lens = LogitLens.of(m, in);
            assertEquals(m.layers() + 1, lens.size());
            assertArrayEquals(ActivationPatching.output(m, in).toFloatArray(), lens.getLast().toFloatArray(), 1e-6f, m.architecture());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> LogitLens.of(encoder, ids(encoder, 2, 3)));
        assertTrue(e.getMessage().startsWith("a bert model without a language-model head has no logit lens"), e.getMessage());
    }
}
