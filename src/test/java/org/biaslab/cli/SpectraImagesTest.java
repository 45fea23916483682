package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.biaslab.data.Corruption;
import org.biaslab.data.Idx;
import org.biaslab.data.ImageDataset;
import org.biaslab.experiment.p2.VitMeasurement;
import org.biaslab.experiment.p2.VitTraining;
import org.biaslab.io.TensorFile;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.Init;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.nn.vit.VitClassifier;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyse MODEL --spectra --images IDX} on a tiny P2 ViT run trained here, on HF's tiny ViT, and its bad input. */
class SpectraImagesTest {
    private static final VitConfig SMALL = new VitConfig(16, 2, 2, 32, "gelu", 1e-6, 8, 4, 1, true, 0.02);
    private static final long[] SEEDS = {5, 6};

    @TempDir
    static Path tmp;
    static Path run, idx8;

    /** A 2-member run of a few steps on 24 noisy 8×8 stripes (3 classes), its images written as an IDX file. */
    @BeforeAll
    static void train() throws IOException {
        idx8 = writeIdx(tmp.resolve("stripes-8.idx"), 24, 8);
        ImageDataset data = new ImageDataset(Idx.readImages(idx8), java.util.stream.IntStream.range(0, 24).map(i -> i % 3).toArray());
        var c = new VitTraining.Config(SMALL, AttentionVariant.BASELINE, SEEDS, 1, 8, new AdamWConfig(3e-3, 0.9, 0.999, 1e-8, 0.01), "constant",
                List.of(Corruption.parse("noise:0.2")), Device.CPU);
        run = tmp.resolve("run");
        VitTraining.train(c, data, data, run, new VitTraining.Listener() {});
    }

    /** n images of size×size stripes (class i % 3: horizontal, vertical, checkerboard) with noise, as IDX bytes. */
    private static Path writeIdx(Path file, int n, int size) throws IOException {
        Rng rng = new Rng(n + size);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x803);
        out.writeInt(n);
        out.writeInt(size);
        out.writeInt(size);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < size * size; p++) {
                int r = p / size, col = p % size, on = i % 3 == 0 ? r % 2 : i % 3 == 1 ? col % 2 : (r + col) % 2;
                out.writeByte((int) Math.round(255 * Math.min(1, Math.max(0, 0.5 + (on == 1 ? 0.3 : -0.3) + 0.1 * rng.normal()))));
            }
        }
        Files.write(file, bytes.toByteArray());
        return file;
    }

    private static JsonNode json(String... args) throws IOException {
        Object[] r = AnalyseCommandTest.analyse(args);
        assertEquals(0, r[0], (String) r[2]);
        return new ObjectMapper().readTree((String) r[1]);
    }

    /** Every layer's census covers heads × images and sums to 100 %; every hidden state has its smoothing metrics. */
    private static void assertComplete(JsonNode j, int layers, int heads, int images) {
        assertEquals(images, j.get("inputs").asInt());
        assertEquals(layers, j.get("layers").size());
        for (JsonNode l : j.get("layers")) {
            assertEquals(heads, l.get("heads").asInt());
            JsonNode c = l.get("census");
            assertEquals((long) heads * images, c.get("smoothing").asLong() + c.get("sharpening").asLong() + c.get("tied").asLong());
            assertEquals(100, c.get("smoothing_pct").asDouble() + c.get("sharpening_pct").asDouble() + c.get("tied_pct").asDouble(), 1e-9);
        }
        assertEquals(layers + 1, j.get("hidden_states").size());
        for (JsonNode s : j.get("hidden_states")) {
            assertTrue(Math.abs(s.get("cosine").asDouble()) <= 1 + 1e-9, s.toString());
            assertTrue(s.get("hfc_lfc").asDouble() >= 0, s.toString());
            double r1 = s.get("rank_one_distance").asDouble();
            assertTrue(r1 >= 0 && r1 <= 1 + 1e-9, s.toString());
        }
    }

    @Test
    void aRunsMembersAreMeasuredOnTheFirstImagesAsVitMeasurementDoes() throws IOException {
        JsonNode m0 = json("analyse", run.toString(), "--spectra", "--census", "--images", idx8.toString(), "--count", "5", "--json");
        JsonNode m1 = json("analyse", run.toString(), "--spectra", "--census", "--images", idx8.toString(), "--count", "5", "--member", "1", "--json");
        assertComplete(m0, 2, 2, 5);
        assertComplete(m1, 2, 2, 5);
        assertEquals("vit-baseline", m0.get("architecture").asText());
        assertEquals(1, m1.get("member").asInt());
        assertNotEquals(m0.get("layers").get(0).get("ov_max_abs_eig_mean").asDouble(), m1.get("layers").get(0).get("ov_max_abs_eig_mean").asDouble());

        // the same smoothing metrics as P2's own measurement of the checkpoint, member by member
        VitClassifier ensemble = new VitClassifier(SMALL, AttentionVariant.BASELINE, 3, Init.forLoading(DType.F32, 2));
        ensemble.load(TensorFile.load(run.resolve("ckpt/model.safetensors")).tensors());
        Tensor first5 = Idx.readImages(idx8).slice(0, 0, 5);
        VitMeasurement expected = VitMeasurement.of(ensemble, SMALL, 3, SEEDS, first5, 5);
        List<JsonNode> got = List.of(m0, m1);
        for (int e = 0; e < 2; e++) {
            for (VitMeasurement.State s : expected.members().get(e).states()) {
                JsonNode h = got.get(e).get("hidden_states").get(s.state());
                assertEquals(s.cosine(), h.get("cosine").asDouble(), 1e-9, "member " + e + " state " + s.state());
                assertEquals(s.hfcLfc(), h.get("hfc_lfc").asDouble(), 1e-9);
                assertEquals(s.rankOneDistance(), h.get("rank_one_distance").asDouble(), 1e-9);
            }
        }
        // the census of both members together is VitMeasurement's, layer by layer
        for (int l = 0; l < 2; l++) {
            long smoothing = m0.get("layers").get(l).get("census").get("smoothing").asLong() + m1.get("layers").get(l).get("census").get("smoothing").asLong();
            assertEquals(expected.census().get(l).smoothing(), smoothing, "layer " + l);
        }
    }

    @Test
    void aHuggingFaceVitReadsGreyImagesAsRepeatedChannels() throws IOException {
        Path idx32 = writeIdx(tmp.resolve("stripes-32.idx"), 3, 32); // the fixture takes (3, 32, 32)
        JsonNode j = json("analyse", HfFixture.dir("vit").toString(), "--spectra", "--census", "--images", idx32.toString(), "--json");
        assertComplete(j, 2, 4, 3);
        // 8×8 images are resized to the checkpoint's 32×32 (VitImageProcessor), as HuggingFace's ViTImageProcessor does
        assertComplete(json("analyse", HfFixture.dir("vit").toString(), "--spectra", "--census", "--images", idx8.toString(), "--count", "4", "--json"), 2, 4, 4);
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() throws IOException {
        Path garbage = Files.writeString(tmp.resolve("garbage.idx"), "not an idx file");
        String vit = HfFixture.dir("vit").toString(), bert = HfFixture.dir("bert").toString(), r = run.toString(), images = idx8.toString();
        assertError("give one input: --text/--file, --ids, --image or --images", "analyse", r, "--spectra", "--images", images, "--text", "a cat");
        assertError("no-such.idx", "analyse", r, "--spectra", "--images", "no-such.idx");
        assertError("magic", "analyse", r, "--spectra", "--images", garbage.toString());
        assertError("is a bert model: it reads text, not --images", "analyse", bert, "--spectra", "--images", images);
        assertError("holds 2 members (0 … 1), not --member 2", "analyse", r, "--spectra", "--images", images, "--member", "2");
        assertError("--census needs --images", "analyse", r, "--spectra", "--census");
        assertError("--census needs --images", "analyse", vit, "--spectra", "--census");
        assertError("is a P2 ViT run: it reads --images", "analyse", r, "--spectra", "--text", "a cat");
        assertError("--member needs a P2 ViT run directory", "analyse", vit, "--spectra", "--member", "1");
        assertError("--count 0 must be positive", "analyse", r, "--spectra", "--images", images, "--count", "0");
    }

    private static void assertError(String expected, String... args) {
        String[] r = Cli.run(args);
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains(expected) && !r[1].contains("\n"), r[1]);
    }
}
