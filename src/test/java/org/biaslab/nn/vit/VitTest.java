package org.biaslab.nn.vit;

import static org.biaslab.nn.HfFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.PretrainedModel.Input;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class VitTest {
    @Test
    void reproducesHuggingFacesHiddenStatesAndAttention() throws Exception {
        Vit m = Vit.load(HfFixture.dir("vit"));
        Map<String, Tensor> e = HfFixture.expected("vit");
        Input in = Input.pixels(e.get("pixel_values"));
        try (var pattern = m.hooks().capture("encoder.layer.*.attention.hook_pattern")) {
            List<Tensor> hidden = m.hiddenStates(in);
            assertEquals(m.layers() + 1, hidden.size());
            for (int i = 0; i < hidden.size(); i++) assertClose("hidden." + i, e.get("hidden." + i), hidden.get(i));
            for (int l = 0; l < m.layers(); l++) {
                assertClose("attention." + l, e.get("attention." + l), pattern.last("encoder.layer." + l + ".attention.hook_pattern"));
            }
        }
        assertClose("last_hidden_state", e.get("last_hidden_state"), m.lastHiddenState(in));
    }
}
