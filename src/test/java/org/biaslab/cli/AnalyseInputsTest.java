package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.biaslab.data.Images;
import org.biaslab.data.VitImageProcessor;
import org.biaslab.io.TensorFile;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.vit.Vit;
import org.biaslab.probe.interpret.ActivationCache;
import org.biaslab.probe.interpret.TokenInputs;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyse --ids / --image / --dump --points}: the dumped cache read back against the model, and bad input. */
class AnalyseInputsTest {
    @TempDir
    Path tmp;

    @Test
    void idsDumpTheCacheOfTheMatchingPoints() throws Exception {
        String dir = HfFixture.dir("bert").toString();
        Path out = tmp.resolve("ids");
        Object[] r = AnalyseCommandTest.analyse("analyse", dir, "--ids", "2,17,40,3", "--ids", "2,9,3", "--token-types", "0,0,1,1", "--token-types", "0,0,0",
                "--dump", out.toString(), "--points", "**.hook_resid_post");
        assertEquals(0, r[0], (String) r[2]);
        TensorFile.Contents file = TensorFile.load(out.resolve("activations.safetensors"));
        PretrainedModel bert = HuggingFace.load(HfFixture.dir("bert"));
        PretrainedModel.Input in = TokenInputs.of(bert, List.of(new int[] {2, 17, 40, 3}, new int[] {2, 9, 3}),
                List.of(new int[] {0, 0, 1, 1}, new int[] {0, 0, 0}), null);
        Map<String, Tensor> cache = ActivationCache.run(bert, in, "**.hook_resid_post");
        assertEquals(List.of("encoder.layer.0.hook_resid_post", "encoder.layer.1.hook_resid_post"), List.copyOf(cache.keySet()));
        for (var e : cache.entrySet()) assertArrayEquals(e.getValue().toFloatArray(), file.tensors().get(e.getKey()).toFloatArray(), e.getKey());
        assertArrayEquals(new int[] {2, 17, 40, 3, 2, 9, 3, 0}, file.tensors().get("input_ids").toIntArray());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 0}, file.tensors().get("attention_mask").toIntArray());
        var json = new ObjectMapper();
        assertEquals(List.copyOf(cache.keySet()), json.readValue(file.metadata().get("points"), List.class));
        // no tokenizer.json beside the fixture: the token strings are the ids
        assertEquals(List.of(List.of("2", "17", "40", "3"), List.of("2", "9", "3")), json.readValue(file.metadata().get("tokens"), List.class));
    }

    @Test
    void aPngRunsThroughAViTAsItsImageProcessorPreparesIt() throws Exception {
        BufferedImage png = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) png.getRaster().setSample(x, y, 0, (x * 37 + y * 11) % 256);
        Path file = tmp.resolve("stripes.png");
        ImageIO.write(png, "png", file.toFile());
        Path out = tmp.resolve("image");
        Object[] r = AnalyseCommandTest.analyse("analyse", HfFixture.dir("vit").toString(), "--image", file.toString(), "--dump", out.toString(),
                "--points", "encoder.layer.1.hook_resid_post");
        assertEquals(0, r[0], (String) r[2]);
        Map<String, Tensor> dumped = TensorFile.load(out.resolve("activations.safetensors")).tensors();
        Vit vit = (Vit) HuggingFace.load(HfFixture.dir("vit"));
        Tensor x = VitImageProcessor.ofCheckpoint(HfFixture.dir("vit"), 32, 3).apply(Images.read(file.toString())); // (1, 3, 32, 32)
        assertArrayEquals(x.toFloatArray(), dumped.get("pixel_values").toFloatArray());
        assertArrayEquals(vit.hiddenStates(PretrainedModel.Input.pixels(x)).get(2).toFloatArray(), dumped.get("encoder.layer.1.hook_resid_post").toFloatArray());
    }

    @Test
    void patchingMiniLmsLastResidualRestoresTheOtherText() throws Exception {
        String onnx = org.biaslab.nn.bert.LangChain4jModels.extracted("all-minilm-l6-v2.onnx").onnx().toString();
        Object[] r = AnalyseCommandTest.analyse("analyse", onnx, "--patch", "encoder.layer.5.hook_resid_post", "--from", "the cat sat", "--to", "the dog sat", "--json");
        assertEquals(0, r[0], (String) r[2]);
        var effect = new ObjectMapper().readTree((String) r[1]).get("patch");
        assertEquals(1, effect.get("restored").asDouble(), 1e-9);
        assertTrue(effect.get("max_abs").asDouble() > 0.1, effect.toString());
        assertBad("--from has 5 tokens [[CLS], the, cat, sat, [SEP]], --to has 6 [[CLS], the, cat, sat, down, [SEP]]; patching needs texts of the same token count",
                "analyse", onnx, "--patch", "**.hook_z", "--from", "the cat sat", "--to", "the cat sat down");
    }

    @Test
    void theLogitLensPrintsEveryStateAndEndsAtTheModelsPrediction() throws Exception {
        Object[] r = AnalyseCommandTest.analyse("analyse", HfFixture.dir("gpt2").toString(), "--ids", "5,17,3,40", "--logit-lens", "--lens-k", "2", "--json");
        assertEquals(0, r[0], (String) r[2]);
        var lens = new ObjectMapper().readTree((String) r[1]).get("logit_lens");
        assertEquals(3, lens.get("position").asInt()); // the last token
        assertEquals(3, lens.get("states").size());    // embeddings and 2 blocks
        PretrainedModel gpt2 = HuggingFace.load(HfFixture.dir("gpt2"));
        var top = org.biaslab.probe.interpret.TopTokens.of(org.biaslab.probe.interpret.ActivationPatching.output(gpt2,
                TokenInputs.of(gpt2, List.of(new int[] {5, 17, 3, 40}), null, null)), 0, 3, 2);
        var last = lens.get("states").get(2).get("top");
        for (int i = 0; i < 2; i++) {
            assertEquals(Integer.toString(top.get(i).id()), last.get(i).get("token").asText());
            assertEquals(top.get(i).probability(), last.get(i).get("probability").asDouble(), 1e-12);
        }
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        String bert = HfFixture.dir("bert").toString(), vit = HfFixture.dir("vit").toString();
        assertBad("--ids: 'x' is not an integer (give a comma-separated list such as 101,2023,102)", "analyse", bert, "--ids", "2,x");
        assertBad("token id 99 is outside the vocabulary (0 … 98)", "analyse", bert, "--ids", "2,99");
        assertBad("sequence 0 has 2 ids but 1 token types", "analyse", bert, "--ids", "2,3", "--token-types", "0");
        assertBad("--token-types needs --ids", "analyse", bert, "--text", "a", "--token-types", "0");
        assertBad("give one input: --text/--file, --ids, --image or --images", "analyse", bert, "--text", "a", "--ids", "2");
        assertBad("--points needs --dump", "analyse", bert, "--ids", "2", "--points", "**");
        assertBad("a bert model has no decoder: decoder ids are for t5", "analyse", bert, "--ids", "2", "--decoder-ids", "0");
        assertBad(bert + " is a bert model: it reads text, not --image", "analyse", bert, "--image", "src/test/resources/hf/vit/config.json");
        assertBad("a vit model reads no token ids", "analyse", vit, "--ids", "2");
        assertBad("no-such.png", "analyse", vit, "--image", "no-such.png");
        Path png = tmp.resolve("grey.png");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png", png.toFile());
        assertBad("a vit model without a language-model head has no logit lens", "analyse", vit, "--image", png.toString(), "--logit-lens");
        assertBad("--patch needs --from TEXT_A and --to TEXT_B", "analyse", bert, "--patch", "**", "--from", "a");
        assertBad("--from and --to need --patch", "analyse", bert, "--from", "a");
        assertBad("--logit-lens needs an input: --text, --file or --ids", "analyse", bert, "--logit-lens");
        assertBad("no hook point matches 'x.*'", "analyse", bert, "--ids", "2", "--dump", "target/never", "--points", "x.*");
    }

    private static void assertBad(String expected, String... args) {
        Object[] r = AnalyseCommandTest.analyse(args);
        String err = ((String) r[2]).strip();
        assertEquals(2, r[0], err);
        assertTrue(err.startsWith("biaslab analyse: " + expected) && !err.contains("\n"), err);
    }
}
