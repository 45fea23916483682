package org.biaslab.nn.gpt2;

import static org.biaslab.nn.HfFixture.assertStd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.SafeTensorsWriter;
import org.biaslab.io.TensorFile;
import org.biaslab.io.hf.Gpt2Config;
import org.biaslab.io.hf.HfCheckpoint;
import org.biaslab.nn.Activation;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.PretrainedModel.Input;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2LoadingTest {
    @TempDir
    Path dir;

    private static final Tensor IDS = Tensor.ofInts(new int[] {3, 14, 15, 92, 65, 35}, 2, 3);

    @Test
    void aShardedCopyWithoutThePrefixLoadsTheSameModel() throws Exception {
        Files.copy(HfFixture.dir("gpt2").resolve("config.json"), dir.resolve("config.json"));
        Map<String, Tensor> all = TensorFile.load(HfFixture.dir("gpt2").resolve(HfCheckpoint.SINGLE)).tensors();
        SafeTensorsWriter a = new SafeTensorsWriter(), b = new SafeTensorsWriter();
        StringBuilder map = new StringBuilder();
        int i = 0;
        for (var e : all.entrySet()) {
            String name = e.getKey().substring("transformer.".length()), shard = i++ % 2 == 0 ? "a.safetensors" : "b.safetensors";
            long[] shape = java.util.Arrays.stream(e.getValue().shape().dims()).asLongStream().toArray();
            (shard.equals("a.safetensors") ? a : b).add(name, e.getValue().toFloatArray(), shape);
            map.append(map.isEmpty() ? "" : ", ").append('"').append(name).append("\": \"").append(shard).append('"');
        }
        a.write(dir.resolve("a.safetensors"));
        b.write(dir.resolve("b.safetensors"));
        Files.writeString(dir.resolve(HfCheckpoint.INDEX), "{\"weight_map\": {" + map + "}}");
        Tensor expected = Gpt2.load(HfFixture.dir("gpt2")).logits(Input.tokens(IDS, null));
        assertArrayEquals(expected.toFloatArray(), ((Gpt2) HuggingFace.load(dir)).logits(Input.tokens(IDS, null)).toFloatArray());
    }

    @Test
    void aConfigThatDoesNotFitTheWeightsIsOneLine() throws Exception {
        Files.copy(HfFixture.dir("gpt2").resolve(HfCheckpoint.SINGLE), dir.resolve(HfCheckpoint.SINGLE));
        String config = Files.readString(HfFixture.dir("gpt2").resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), config.replace("\"n_layer\": 2", "\"n_layer\": 3"));
        String m = assertThrows(FormatException.class, () -> Gpt2.load(dir)).getMessage();
        assertEquals(dir.resolve("config.json") + ": field 'n_layer' = 3, but the checkpoint holds 2 (h.N for N in [0, 1])", m);
        Files.writeString(dir.resolve("config.json"), config.replace("\"n_inner\": null", "\"n_inner\": 64"));
        m = assertThrows(FormatException.class, () -> Gpt2.load(dir)).getMessage();
        assertTrue(m.endsWith("tensor 'transformer.h.0.mlp.c_fc.weight' has shape [32, 128], the config asks for [32, 64]"), m);
        Files.writeString(dir.resolve("config.json"), config.replace("\"gelu_new\"", "\"gelu_fast\""));
        m = assertThrows(FormatException.class, () -> Gpt2.load(dir)).getMessage();
        assertEquals(dir.resolve("config.json") + ": field 'activation_function' = \"gelu_fast\" is not a supported activation (relu, gelu, gelu_new, silu)", m);
        Files.writeString(dir.resolve("config.json"), config.replace("\"gpt2\"", "\"gpt_neox\""));
        m = assertThrows(FormatException.class, () -> HuggingFace.load(dir)).getMessage();
        assertFalse(m.contains("\n"));
        assertTrue(m.contains("field 'model_type' is \"gpt_neox\""), m);
    }

    @Test
    void randomInitFollowsHuggingFacesScheme() {
        Gpt2Config c = new Gpt2Config(500, 64, 64, 2, 4, 256, "gelu_new", 1e-5, 0.02, true, false);
        Map<String, Tensor> p = Gpt2.random(c, Activation.GELU_TANH, 7).namedParameters();
        assertStd(0.02, p.get("wte.weight"));
        assertStd(0.02, p.get("h.1.mlp.c_fc.weight"));
        assertStd(0.02 / Math.sqrt(2 * 2), p.get("h.0.attn.c_proj.weight"));
        assertStd(0.02 / Math.sqrt(2 * 2), p.get("h.1.mlp.c_proj.weight"));
        for (float v : p.get("h.0.ln_2.weight").toFloatArray()) assertEquals(1f, v);
        for (float v : p.get("h.0.attn.c_attn.bias").toFloatArray()) assertEquals(0f, v);
        assertArrayEquals(p.get("wpe.weight").toFloatArray(), Gpt2.random(c, Activation.GELU_TANH, 7).namedParameters().get("wpe.weight").toFloatArray());
    }

    @Test
    void aLeftPaddedRowStaysFinite() throws Exception {
        Gpt2 m = Gpt2.load(HfFixture.dir("gpt2"));
        Tensor mask = Tensor.ofInts(new int[] {0, 1, 1, 1, 1, 1}, 2, 3);
        for (float v : m.logits(Input.tokens(IDS, mask)).toFloatArray()) assertTrue(Float.isFinite(v));
    }
}
