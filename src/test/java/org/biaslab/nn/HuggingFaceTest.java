package org.biaslab.nn;

import static org.biaslab.nn.HfFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.hf.HfCheckpoint;
import org.biaslab.nn.PretrainedModel.Input;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceTest {
    @TempDir
    Path dir;

    @Test
    void bertSafetensorsReproduceHuggingFacesHiddenStatesAndAttention() throws Exception {
        PretrainedModel m = HuggingFace.load(HfFixture.dir("bert"));
        assertEquals("bert", m.architecture());
        Map<String, Tensor> e = HfFixture.expected("bert");
        Input in = new Input(e.get("input_ids"), e.get("attention_mask"), e.get("token_type_ids"), null, null);
        try (var pattern = m.module().hooks().capture("encoder.layer.*.attention.self.hook_pattern")) {
            List<Tensor> hidden = m.hiddenStates(in);
            assertEquals(m.layers() + 1, hidden.size());
            for (int i = 0; i < hidden.size(); i++) assertClose("hidden." + i, e.get("hidden." + i), hidden.get(i));
            for (int l = 0; l < m.layers(); l++) {
                assertClose("attention." + l, e.get("attention." + l), pattern.last("encoder.layer." + l + ".attention.self.hook_pattern"));
            }
        }
    }

    @Test
    void everyArchitectureLoadsByItsModelType() throws Exception {
        for (String arch : new String[] {"bert", "gpt2", "vit", "t5"}) {
            PretrainedModel m = HuggingFace.load(HfFixture.dir(arch));
            assertEquals(arch, m.architecture());
            PretrainedModel fresh = m.randomInit(1);
            assertEquals(m.module().namedParameters().keySet(), fresh.module().namedParameters().keySet());
            assertEquals(m.module().parameterCount(), fresh.module().parameterCount());
        }
    }

    @Test
    void bertConfigErrorsNameTheFileAndField() throws Exception {
        Files.copy(HfFixture.dir("bert").resolve(HfCheckpoint.SINGLE), dir.resolve(HfCheckpoint.SINGLE));
        String config = Files.readString(HfFixture.dir("bert").resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), config.replace("\"type_vocab_size\": 2", "\"position_embedding_type\": \"relative_key\""));
        String m = assertThrows(FormatException.class, () -> HuggingFace.load(dir)).getMessage();
        assertEquals(dir.resolve("config.json") + ": field 'position_embedding_type' = \"relative_key\"; only \"absolute\" is supported", m);
        Files.writeString(dir.resolve("config.json"), config.replace("\"intermediate_size\": 37", "\"intermediate_size\": 36"));
        m = assertThrows(FormatException.class, () -> HuggingFace.load(dir)).getMessage();
        assertTrue(m.endsWith("tensor 'encoder.layer.0.intermediate.dense.weight' has shape [37, 32], the config asks for [36, 32]"), m);
    }
}
