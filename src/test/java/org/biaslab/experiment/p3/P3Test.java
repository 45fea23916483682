package org.biaslab.experiment.p3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumingThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.io.tf.WordPieceTokenizerJson;
import org.biaslab.nn.HfFixture;
import org.biaslab.probe.saturation.HeadStatistics;
import org.biaslab.tensor.Device;
import org.biaslab.train.RunDir;
import org.biaslab.report.Browser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The P3 recipe end to end on a generated corpus, tiny LMs and the tiny BERT fixture; resume; the missing corpus. */
class P3Test {
    @TempDir
    Path tmp;

    /** Counts the progress calls of each task. */
    private static final class Calls implements P3.Observer {
        final List<String> tasks = new ArrayList<>();
        final List<String> said = new ArrayList<>();

        @Override
        public void progress(String task, long done, long total, String note) {
            tasks.add(task);
        }

        @Override
        public void say(String line) {
            said.add(line);
        }
    }

    /** The tiny BERT fixture with a WordPiece tokenizer over its 99 ids (the corpus' words among them). */
    private Path bertWithTokenizer() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bert"));
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(HfFixture.dir("bert").resolve(f), dir.resolve(f));
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(List.of(LmTrainingTest.CYCLE));
        while (vocab.size() < 99) vocab.add("w" + vocab.size());
        Files.write(dir.resolve("vocab.txt"), vocab);
        WordPieceTokenizerJson.write(dir.resolve("vocab.txt"), dir.resolve("tokenizer.json"));
        return dir;
    }

    private P3 tiny(Path corpus, Path bert) {
        LmRunConfig base = LmTrainingTest.config(corpus, 2).with(Map.of("d", 16, "ffn", 16, "layers", 2, "heads", 2, "seeds", List.of(0, 1),
                "logEvery", 2));
        NormGrowth lm = new NormGrowth(base, List.of("control", "pre_ln"), 8, 1000);
        LrWdGrid grid = new LrWdGrid(base.with(Map.of("maxTrain", 32)), 2, List.of("adamw", "sgd"), 4);
        PretrainedSaturation pretrained = new PretrainedSaturation(List.of(bert.toString(), "no-such-model"), corpus.toString(), 4, 0, 1000, 32);
        HomogeneityCurves homogeneity = new HomogeneityCurves("tiny", List.of("pre_norm", "control"), 10, 6, 3, 0);
        return new P3(lm, grid, pretrained, homogeneity);
    }

    @Test
    void theRecipeRunsEndToEndAndASecondRunRedoesNothing() throws Exception {
        Path corpus = LmTrainingTest.cyclicCorpus(tmp, 100); // 90 training lines: 5 steps per epoch
        P3 p3 = tiny(corpus, bertWithTokenizer());
        Path dir = tmp.resolve("p3");
        Calls first = new Calls();
        P3.Summary s = p3.run(dir, P3.PARTS, Device.CPU, first);
        assertTrue(first.tasks.containsAll(List.of("lm control", "lm pre_ln", "grid adamw", "grid sgd", "homogeneity", "pretrained")), first.tasks.toString());
        assertEquals(P3.PARTS, List.copyOf(s.seconds().keySet()));

        // LM: sat per layer at every epoch, in [-1, 1]; the trajectory has one point per epoch checkpoint; heads of every member
        for (String v : List.of("control", "pre_ln")) {
            List<Map<String, Object>> epochs = new RunDir(dir.resolve("lm").resolve(v)).metrics().stream().filter(m -> m.containsKey("epoch")).toList();
            assertEquals(2 * 3, epochs.size(), "2 seeds × epochs 0, 1, 2");
            for (Map<String, Object> m : epochs) {
                double sat = LmTrainingTest.num(m, "sat");
                assertTrue(sat >= -1 && sat <= 1, v + " sat " + sat);
                assertEquals(sat, LmTrainingTest.num(m, "sat/layer_2"), 0, "sat is the last layer's");
                assertTrue(m.containsKey("sat/layer_1"));
            }
            NormGrowth.Analysis a = NormGrowth.read(dir.resolve("lm").resolve(v));
            assertEquals(2, a.members().size());
            for (NormGrowth.Member m : a.members()) {
                assertEquals(3, m.trajectory().size());
                assertNull(m.trajectory().getFirst().cosPrevious());
                assertTrue(m.trajectory().get(2).cosPrevious() < 1 && m.trajectory().get(2).cosPrevious() > 0);
                assertEquals(4, m.fits().size());
                assertEquals(2 * 2, m.heads().size(), "2 layers × 2 heads");
                for (HeadStatistics.Head h : m.heads()) assertTrue(h.meanPositions() >= 1 && h.meanPositions() <= 16, h.toString());
            }
        }
        // the grid: every cell's norm before training is the one initialisation's
        NormGrid.Result adamw = LrWdGrid.read(dir.resolve("grid"), "adamw");
        assertEquals(adamw.before()[0][0], adamw.before()[1][1], 0);
        // the fixture's embeddings end in a LayerNorm, which scaling every parameter by c only scales: similarity 1
        PretrainedSaturation.Result bert = ResultFiles.read(PretrainedSaturation.file(dir.resolve("pretrained"), tmp.resolve("bert").toString()),
                PretrainedSaturation.Result.class);
        assertNull(bert.skipped());
        assertEquals(3, bert.pretrained().length, "embeddings and 2 layers");
        assertEquals(1, bert.pretrained()[0], 1e-4);
        assertEquals(1, bert.random()[0], 1e-4);
        assertEquals(3, bert.pretrainedAnisotropy().length, "a baseline per hidden state");
        for (double a : bert.randomAnisotropy()) assertTrue(Math.abs(a) <= 1 + 1e-12, "a mean cosine: " + a);
        assertTrue(first.said.stream().anyMatch(l -> l.contains("no-such-model")), first.said.toString());
        HomogeneityCurves.Result h = ResultFiles.read(dir.resolve("homogeneity").resolve(HomogeneityCurves.FILE), HomogeneityCurves.Result.class);
        assertEquals(4, h.curves().size());

        String html = Files.readString(dir.resolve("report.html"));
        for (String heading : List.of("1. Norm growth", "2. Learning rate", "3. Pretrained", "4. Homogeneity", "Findings", "reproduced")) {
            assertTrue(html.contains(heading), heading);
        }
        assertTrue(html.contains("no-such-model"), "the skipped model is listed with its reason");
        for (String png : List.of("lm_norm", "lm_epochs", "lm_sat_layers", "lm_trajectory", "lm_heads", "grid", "pretrained", "homogeneity")) {
            assertTrue(Files.size(dir.resolve("plots").resolve(png + ".png")) > 1000, png);
        }
        List<String> claims = s.findings().stream().map(P3Report.Finding::claim).toList();
        assertTrue(claims.containsAll(List.of("LM: the norm grows", "LM: sat rises with the norm", "LM: sat above its baseline", "LM: saturated heads bimodal",
                "grid (adamw): the norm grows", "homogeneity curves rise", "pre-norm starts above post-norm")), claims.toString());
        assertTrue(s.line().startsWith("P3: "), s.line());

        // in a browser, where one is installed: no console error, no request; a point per run and epoch, a toggle hides a series
        assumingThat(Browser.installed(), () -> {
            List<Browser.Chart> charts = Browser.open(dir.resolve("report.html"));
            assertEquals(4, charts.size(), "norm over steps, sat against the norm, pretrained, homogeneity: " + charts);
            for (Browser.Chart c : charts) assertEquals(c.declared(), c.points(), c.title());
            assertEquals(2 * 2 * 3, charts.get(1).points(), "2 variants × 2 seeds × epochs 0, 1, 2");
            assertEquals(2 * 2, charts.get(2).points(), "pretrained and random init at layers 1 and 2");
            assertEquals(List.of("seed 0 fit", "seed 1", "seed 1 fit", "seed 0 fit", "seed 1", "seed 1 fit"), Browser.toggle(0, "seed 0"));
            assertTrue(Browser.hover(1, 0, 0).get(0).startsWith("control, seed 0, epoch 0"));
        });

        // a second run trains, measures and computes nothing again (the skipped model alone is tried again)
        String metrics = Files.readString(dir.resolve("lm/control/metrics.jsonl"));
        long analysed = Files.getLastModifiedTime(dir.resolve("lm/control").resolve(NormGrowth.ANALYSIS)).toMillis();
        Calls second = new Calls();
        p3.run(dir, P3.PARTS, Device.CPU, second);
        assertTrue(second.tasks.stream().allMatch(t -> t.equals("pretrained")), second.tasks.toString());
        assertEquals(metrics, Files.readString(dir.resolve("lm/control/metrics.jsonl")));
        assertEquals(analysed, Files.getLastModifiedTime(dir.resolve("lm/control").resolve(NormGrowth.ANALYSIS)).toMillis());
    }

    @Test
    void aMissingCorpusIsOneLineWithTheFetchCommandAndWritesNothing() {
        Path absent = tmp.resolve("absent.txt");
        Path dir = tmp.resolve("p3-quick");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> P3.quick(absent).run(dir, P3.PARTS, Device.CPU, P3.Observer.SILENT));
        assertTrue(e.getMessage().contains("absent.txt") && e.getMessage().contains("apt-get download bible-kjv"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertFalse(Files.exists(dir));
        assertThrows(IllegalArgumentException.class, () -> P3.checkParts(List.of("lm", "e1")));
    }

    @Test
    void theSignedLogKeepsTheSignAndCountsDecadesAboveTheFloor() {
        assertEquals(0, GridSection.signedLog(0), 0);
        assertEquals(Math.log10(2), GridSection.signedLog(GridSection.FLOOR), 1e-12);
        assertEquals(-GridSection.signedLog(0.3), GridSection.signedLog(-0.3), 0);
        assertNotNull(P3.quick(tmp).lm());
    }
}
