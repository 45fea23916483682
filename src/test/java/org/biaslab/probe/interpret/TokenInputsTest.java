package org.biaslab.probe.interpret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Token-id inputs: padding, masks, token types, decoder ids and the vocabulary check. */
class TokenInputsTest {
    @Test
    void idsArePaddedMaskedAndCheckedAgainstTheVocabulary() throws IOException {
        PretrainedModel bert = HuggingFace.load(HfFixture.dir("bert"));
        int v = TokenInputs.vocabulary(bert);
        PretrainedModel.Input in = TokenInputs.of(bert, List.of(new int[] {5, 6, 7}, new int[] {8}), List.of(new int[] {0, 1, 1}, new int[] {1}), null);
        assertArrayEquals(new int[] {5, 6, 7, 8, 0, 0}, in.inputIds().toIntArray());
        assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0}, in.attentionMask().toIntArray());
        assertArrayEquals(new int[] {0, 1, 1, 1, 0, 0}, in.tokenTypeIds().toIntArray());
        // padding changes nothing at the real tokens
        Tensor alone = bert.hiddenStates(TokenInputs.of(bert, List.of(new int[] {8}), List.of(new int[] {1}), null)).getLast();
        float[] padded = bert.hiddenStates(in).getLast().toFloatArray(), single = alone.toFloatArray();
        int d = single.length;
        for (int k = 0; k < d; k++) assertEquals(single[k], padded[3 * d + k], 1e-5);
        var e = assertThrows(IllegalArgumentException.class, () -> TokenInputs.of(bert, List.<int[]>of(new int[] {1, v}), null, null));
        assertEquals("token id " + v + " is outside the vocabulary (0 … " + (v - 1) + ")", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TokenInputs.of(bert, List.<int[]>of(new int[] {1}), List.<int[]>of(new int[] {7}), null));
        assertTrue(e.getMessage().startsWith("token type 7 is outside the types (0 … "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TokenInputs.of(bert, List.<int[]>of(new int[] {1}), null, new int[] {0}));
        assertEquals("a bert model has no decoder: decoder ids are for t5", e.getMessage());
        PretrainedModel t5 = HuggingFace.load(HfFixture.dir("t5"));
        PretrainedModel.Input t = TokenInputs.of(t5, List.of(new int[] {4, 5}, new int[] {6, 7}), null, new int[] {0, 9, 3});
        assertArrayEquals(new int[] {0, 9, 3, 0, 9, 3}, t.decoderInputIds().toIntArray());
        assertEquals(3, t5.hiddenStates(t).getLast().dim(1));
    }
}
