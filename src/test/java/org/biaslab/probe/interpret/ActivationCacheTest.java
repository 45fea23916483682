package org.biaslab.probe.interpret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The activation cache against the models' own hidden states, and token-id inputs. */
class ActivationCacheTest {
    @Test
    void cachedResidPostIsTheHiddenStateOfEveryLayer() throws IOException {
        PretrainedModel bert = HuggingFace.load(HfFixture.dir("bert"));
        PretrainedModel.Input in = TokenInputs.of(bert, List.of(new int[] {2, 17, 40, 3}, new int[] {2, 9, 3}), null, null);
        Map<String, Tensor> cache = ActivationCache.run(bert, in, "encoder.layer.*.hook_resid_post");
        List<Tensor> hidden = bert.hiddenStates(in);
        assertEquals(bert.layers(), cache.size());
        for (int l = 0; l < bert.layers(); l++) {
            Tensor c = cache.get("encoder.layer." + l + ".hook_resid_post");
            assertArrayEquals(hidden.get(l + 1).toFloatArray(), c.toFloatArray(), "layer " + l);
        }
        // every point of layer 0, in call order: its q before its pattern before its resid_post
        List<String> names = List.copyOf(ActivationCache.run(bert, in, "encoder.layer.0.**").keySet());
        int q = names.indexOf("encoder.layer.0.attention.self.hook_q"), p = names.indexOf("encoder.layer.0.attention.self.hook_pattern");
        assertTrue(0 <= q && q < p && p < names.indexOf("encoder.layer.0.hook_resid_post"), names.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> ActivationCache.run(bert, in, "**.hook_nothing"));
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().startsWith("no hook point matches '**.hook_nothing'; points there are: ") && e.getMessage().contains("encoder.layer.*.attention.self.hook_pattern"), e.getMessage());
    }
}
