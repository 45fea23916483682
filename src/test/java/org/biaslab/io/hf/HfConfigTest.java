package org.biaslab.io.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {
    @TempDir
    Path dir;

    private HfConfig config(String json) throws Exception {
        Path p = dir.resolve("config.json");
        Files.writeString(p, json);
        return HfConfig.read(p);
    }

    private String error(String json) {
        Exception e = assertThrows(FormatException.class, () -> {
            HfConfig c = config(json);
            switch (c.modelType()) {
                case "gpt2" -> Gpt2Config.from(c);
                case "vit" -> VitConfig.from(c);
                default -> T5Config.from(c);
            }
        });
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("config.json").toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void absentFieldsTakeHuggingFacesDefaults() throws Exception {
        Gpt2Config g = Gpt2Config.from(config("{\"model_type\": \"gpt2\", \"n_embd\": 96, \"n_inner\": null}"));
        assertEquals(4 * 96, g.nInner());
        assertEquals(50257, g.vocabSize());
        assertEquals(12, g.nLayer());
        assertEquals("gelu_new", g.activation());
        VitConfig v = VitConfig.from(config("{\"model_type\": \"vit\"}"));
        assertEquals(196, v.patches());
        assertEquals(1e-12, v.layerNormEps());
        T5Config t = T5Config.from(config("{\"model_type\": \"t5\", \"num_layers\": 3}"));
        assertEquals(3, t.numDecoderLayers());
        assertEquals("relu", t.denseActFn());
        assertFalse(t.gatedAct());
        assertTrue(t.scaleDecoderOutputs());
    }

    @Test
    void feedForwardProjFollowsHuggingFace() throws Exception {
        T5Config gated = T5Config.from(config("{\"model_type\": \"t5\", \"feed_forward_proj\": \"gated-gelu\"}"));
        assertTrue(gated.gatedAct());
        assertEquals("gelu_new", gated.denseActFn()); // HF's quirk: gated-gelu is the tanh GELU
        assertEquals("silu", T5Config.from(config("{\"model_type\": \"t5\", \"feed_forward_proj\": \"gated-silu\"}")).denseActFn());
        assertTrue(error("{\"model_type\": \"t5\", \"feed_forward_proj\": \"double-relu\"}").contains("field 'feed_forward_proj'"));
    }

    @Test
    void decoderOutputScalingFallsBackToTheLegacyTieFlag() throws Exception {
        assertFalse(T5Config.from(config("{\"model_type\": \"t5\", \"tie_word_embeddings\": false}")).scaleDecoderOutputs());
        assertFalse(T5Config.from(config("{\"model_type\": \"t5\", \"tie_word_embeddings\": true, \"scale_decoder_outputs\": false}")).scaleDecoderOutputs());
    }

    @Test
    void badConfigsNameTheFileAndField() {
        assertTrue(error("{\"n_embd\": 64}").contains("field 'model_type' is missing"));
        assertTrue(error("{\"model_type\": \"gpt2\", \"n_embd\": \"big\"}").contains("field 'n_embd' must be an integer"));
        assertTrue(error("{\"model_type\": \"gpt2\", \"n_embd\": 64, \"n_head\": 5}").contains("field 'n_head' = 5 does not divide n_embd = 64"));
        assertTrue(error("{\"model_type\": \"gpt2\", \"n_layer\": 0}").contains("field 'n_layer' must be at least 1"));
        assertTrue(error("{\"model_type\": \"gpt2\", \"layer_norm_epsilon\": true}").contains("field 'layer_norm_epsilon' must be a number"));
        assertTrue(error("{\"model_type\": \"vit\", \"image_size\": 30, \"patch_size\": 16}").contains("field 'patch_size'"));
        assertTrue(error("{\"model_type\": \"t5\", \"tie_word_embeddings\": \"yes\"}").contains("field 'tie_word_embeddings' must be true or false"));
        assertTrue(error("{\"model_type\": \"gpt2\" ").contains("not valid JSON"));
        assertTrue(error("[1, 2]").contains("holds an array; expected an object of fields"));
        Path none = dir.resolve("none").resolve("config.json");
        assertTrue(assertThrows(FormatException.class, () -> HfConfig.read(none)).getMessage().startsWith(none + ": no such file"));
    }

    @Test
    void aLoaderRefusesAnotherArchitecture() throws Exception {
        HfConfig c = config("{\"model_type\": \"bert\"}");
        FormatException e = assertThrows(FormatException.class, () -> Gpt2Config.from(c));
        assertTrue(e.getMessage().endsWith("field 'model_type' is \"bert\", expected \"gpt2\""), e.getMessage());
    }
}
