package org.biaslab.nn.t5;

import static org.biaslab.nn.HfFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.biaslab.io.SafeTensorsWriter;
import org.biaslab.io.TensorFile;
import org.biaslab.io.hf.HfCheckpoint;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.PretrainedModel.Input;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class T5Test {
    /** "t5": ReLU feed-forward, outputs scaled before the tied head; "t5-gated": gated-gelu, unscaled. */
    @ParameterizedTest
    @ValueSource(strings = {"t5", "t5-gated"})
    void reproducesHuggingFacesHiddenStatesAttentionAndLogits(String name) throws Exception {
        T5 m = T5.load(HfFixture.dir(name));
        Map<String, Tensor> e = HfFixture.expected(name);
        Input in = new Input(e.get("input_ids"), e.get("attention_mask"), null, null, e.get("decoder_input_ids"));
        try (var pattern = m.hooks().capture("**.hook_pattern")) {
            List<Tensor> hidden = m.hiddenStates(in);
            int enc = m.config().numLayers() + 1;
            assertEquals(m.layers() + 2, hidden.size());
            for (int i = 0; i < enc; i++) assertClose("encoder_hidden." + i, e.get("encoder_hidden." + i), hidden.get(i));
            for (int i = 0; i < hidden.size() - enc; i++) assertClose("decoder_hidden." + i, e.get("decoder_hidden." + i), hidden.get(enc + i));
            for (int l = 0; l < m.config().numLayers(); l++) {
                assertClose("encoder_attention." + l, e.get("encoder_attention." + l), pattern.last("encoder.block." + l + ".layer.0.SelfAttention.hook_pattern"));
                assertClose("decoder_attention." + l, e.get("decoder_attention." + l), pattern.last("decoder.block." + l + ".layer.0.SelfAttention.hook_pattern"));
                assertClose("cross_attention." + l, e.get("cross_attention." + l), pattern.last("decoder.block." + l + ".layer.1.EncDecAttention.hook_pattern"));
            }
        }
        assertClose("logits", e.get("logits"), m.logits(in));
    }

    /** T5EncoderModel's layout: the same checkpoint without decoder tensors gives HF's encoder states. */
    @Test
    void anEncoderOnlyCheckpointGivesTheEncodersStates(@TempDir Path dir) throws Exception {
        Files.copy(HfFixture.dir("t5").resolve("config.json"), dir.resolve("config.json"));
        SafeTensorsWriter w = new SafeTensorsWriter();
        for (var t : TensorFile.load(HfFixture.dir("t5").resolve(HfCheckpoint.SINGLE)).tensors().entrySet()) {
            if (!t.getKey().startsWith("decoder.")) w.add(t.getKey(), t.getValue().toFloatArray(), Arrays.stream(t.getValue().shape().dims()).asLongStream().toArray());
        }
        w.write(dir.resolve(HfCheckpoint.SINGLE));
        T5 m = T5.load(dir);
        assertEquals(2, m.layers());
        Map<String, Tensor> e = HfFixture.expected("t5");
        Input in = Input.tokens(e.get("input_ids"), e.get("attention_mask"));
        List<Tensor> hidden = m.hiddenStates(in);
        assertEquals(3, hidden.size());
        for (int i = 0; i < 3; i++) assertClose("encoder_hidden." + i, e.get("encoder_hidden." + i), hidden.get(i));
        assertThrows(IllegalStateException.class, () -> m.logits(in));
        assertFalse(m.randomInit(0).namedParameters().keySet().stream().anyMatch(n -> n.startsWith("decoder.")));
    }
}
