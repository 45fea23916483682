package org.biaslab.nn.gpt2;

import static org.biaslab.nn.HfFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.PretrainedModel.Input;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Gpt2Test {
    @Test
    void reproducesHuggingFacesHiddenStatesAttentionAndLogits() throws Exception {
        Gpt2 m = Gpt2.load(HfFixture.dir("gpt2"));
        Map<String, Tensor> e = HfFixture.expected("gpt2");
        Input in = Input.tokens(e.get("input_ids"), e.get("attention_mask"));
        try (var pattern = m.hooks().capture("h.*.attn.hook_pattern")) {
            List<Tensor> hidden = m.hiddenStates(in);
            assertEquals(m.layers() + 1, hidden.size());
            for (int i = 0; i < hidden.size(); i++) assertClose("hidden." + i, e.get("hidden." + i), hidden.get(i));
            for (int l = 0; l < m.layers(); l++) assertClose("attention." + l, e.get("attention." + l), pattern.last("h." + l + ".attn.hook_pattern"));
        }
        assertClose("logits", e.get("logits"), m.logits(in));
    }

    @Test
    void laterTokensDoNotChangeEarlierStates() throws Exception {
        Gpt2 m = Gpt2.load(HfFixture.dir("gpt2"));
        Tensor a = Tensor.ofInts(new int[] {5, 17, 3, 9, 40}, 1, 5), b = Tensor.ofInts(new int[] {5, 17, 3, 60, 2}, 1, 5);
        Tensor ha = m.hiddenStates(Input.tokens(a, null)).get(2), hb = m.hiddenStates(Input.tokens(b, null)).get(2);
        assertArrayEquals(ha.slice(1, 0, 3).toFloatArray(), hb.slice(1, 0, 3).toFloatArray());
    }
}
