package org.biaslab.nn;

import static org.biaslab.nn.HfFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.SafeTensorsWriter;
import org.biaslab.io.TensorFile;
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

    /** As bert-base-uncased stores them: a task model's prefix, TensorFlow's gamma/beta, a position_ids buffer, a head. */
    @Test
    void bertUnderLegacyNamesLoadsTheSameModel() throws Exception {
        Files.copy(HfFixture.dir("bert").resolve("config.json"), dir.resolve("config.json"));
        SafeTensorsWriter w = new SafeTensorsWriter().add("bert.embeddings.position_ids", new long[] {0, 1, 2}, 1, 3)
                .add("cls.predictions.bias", new float[99], 99);
        for (var e : TensorFile.load(HfFixture.dir("bert").resolve(HfCheckpoint.SINGLE)).tensors().entrySet()) {
            String name = "bert." + e.getKey().replaceFirst("LayerNorm\\.weight$", "LayerNorm.gamma").replaceFirst("LayerNorm\\.bias$", "LayerNorm.beta");
            w.add(name, e.getValue().toFloatArray(), java.util.Arrays.stream(e.getValue().shape().dims()).asLongStream().toArray());
        }
        w.write(dir.resolve(HfCheckpoint.SINGLE));
        Tensor ids = HfFixture.expected("bert").get("input_ids");
        List<Tensor> legacy = HuggingFace.load(dir).hiddenStates(Input.tokens(ids, null));
        List<Tensor> plain = HuggingFace.load(HfFixture.dir("bert")).hiddenStates(Input.tokens(ids, null));
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i).toFloatArray(), legacy.get(i).toFloatArray());
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
