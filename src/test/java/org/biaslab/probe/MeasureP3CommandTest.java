package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.data.TextBatch;
import org.biaslab.experiment.p3.LmRunConfig;
import org.biaslab.experiment.p3.LmTraining;
import org.biaslab.experiment.p3.NormGrowth;
import org.biaslab.tensor.Device;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code biaslab measure norms} and {@code measure saturation} on a P1 run trained here with every checkpoint kept. */
class MeasureP3CommandTest {
    @TempDir
    static Path tmp;
    static Path run;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void train() throws Exception {
        RunConfig c = RunConfig.defaults().with(Map.of("task", "parity", "n", 5, "d", 16, "batch", 32, "steps", 40, "seed", 2,
                "maxLen", 8, "lr", 1e-2)).with(Map.of("logEvery", 10, "evalEvery", 40, "evalBatches", 1, "checkpointEvery", 10,
                "keepCheckpoints", true));
        RunDir dir = new RunDir(tmp.resolve("run"));
        dir.init(c);
        new Trainer(List.of(new Trainer.Run(c, dir)), null).run();
        run = dir.path();
    }

    @Test
    void normsFollowEveryKeptCheckpointAndAgreeWithTheTrainersNorm() throws Exception {
        assertEquals(List.of(10L, 20L, 30L, 40L), new RunDir(run).checkpointSteps());
        Object[] r = MeasureCommandTest.measure("norms", run.toString(), "--json");
        assertEquals(0, r[0], String.valueOf(r[2]));
        JsonNode out = JSON.readTree((String) r[1]);
        JsonNode points = out.get("checkpoints");
        assertEquals(4, points.size());
        assertTrue(!points.get(0).has("cos_previous"), "undefined at the first checkpoint (nulls are left out)");
        for (int i = 1; i < 4; i++) {
            double cos = points.get(i).get("cos_previous").asDouble(), align = points.get(i).get("alignment").asDouble();
            assertTrue(cos > 0.5 && cos <= 1 + 1e-12, "consecutive checkpoints point alike: " + cos);
            assertTrue(Math.abs(align) <= 1 + 1e-12, "a cosine: " + align);
        }
        assertEquals(4, out.get("fits").size());
        assertTrue(out.get("fits").get(0).get("r2").asDouble() >= 0);
        // the trainer's norm at the end leaves the positional embeddings out and counts the size-1 linear_head.bias,
        // which P3's norm leaves out by default: ρ² (scalars included) − ‖positional‖² must equal its square
        JsonNode pos = JSON.readTree((String) MeasureCommandTest.measure("norms", run.toString(), "--params", "positional_encoding**", "--json")[1]);
        JsonNode withScalars = JSON.readTree((String) MeasureCommandTest.measure("norms", run.toString(), "--include-scalars", "--json")[1]);
        assertTrue(withScalars.get("checkpoints").get(3).get("norm").asDouble() > points.get(3).get("norm").asDouble(), "linear_head.bias counts");
        double all = withScalars.get("checkpoints").get(3).get("norm").asDouble(), positional = pos.get("checkpoints").get(3).get("norm").asDouble();
        double logged = ((Number) new RunDir(run).summary().get("param_norm")).doubleValue();
        assertTrue(positional > 0);
        assertEquals(logged * logged, all * all - positional * positional, 1e-5 * logged * logged);
    }

    @Test
    void saturationOfAnLmRunIsWhatItsTrainingLoggedForThatSeed(@TempDir Path dir) throws Exception {
        String[] words = {"in", "the", "beginning", "was", "the", "word", "and", "light", "shone", "on", "the", "deep"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 4 + i % 5; k++) sb.append(k == 0 ? "" : " ").append(words[(3 * i + k) % words.length]);
            lines.add(sb.toString());
        }
        Path corpus = Files.write(dir.resolve("corpus.txt"), lines);
        LmRunConfig c = LmRunConfig.defaults(corpus.toString()).with(Map.of("epochs", 1, "logEvery", 5, "maxLen", 16, "seeds", List.of(3, 4)));
        Path lm = dir.resolve("lm");
        int probes = 5;
        LmTraining.run(c, lm, Device.CPU, null, (model, epoch, data) ->
                NormGrowth.saturation(model, TextBatch.pad(data.dev().subList(0, probes), data.maxLen()), 1000, Device.CPU));
        Map<String, Object> logged = new RunDir(lm).metrics().stream()
                .filter(m -> Integer.valueOf(1).equals(m.get("epoch")) && ((Number) m.get("seed")).longValue() == 4).findFirst().orElseThrow();

        Object[] r = MeasureCommandTest.measure("saturation", lm.toString(), "--seed", "4", "--batch", Integer.toString(probes), "--json");
        assertEquals(0, r[0], String.valueOf(r[2]));
        JsonNode out = JSON.readTree((String) r[1]);
        JsonNode layers = out.get("layers");
        assertEquals(2, layers.size(), "the tiny preset's layers");
        for (int l = 1; l <= layers.size(); l++) {
            assertEquals(((Number) logged.get("sat/layer_" + l)).doubleValue(), layers.get(l - 1).get("similarity").asDouble(), 1e-5,
                    "layer " + l + ": member 4 alone against the ensemble's logged value");
            assertEquals(((Number) logged.get("aniso/layer_" + l)).doubleValue(), layers.get(l - 1).get("anisotropy").asDouble(), 1e-5);
        }
        assertTrue(out.get("model").asText().startsWith("lm control, 2 layers, seed 4, step"), out.get("model").asText());
        assertEquals(out.get("local_heads").asInt() + out.get("global_heads").asInt(), out.get("heads").size());

        Object[] wrongSeed = MeasureCommandTest.measure("saturation", lm.toString(), "--seed", "9");
        assertEquals(2, wrongSeed[0]);
        assertTrue(String.valueOf(wrongSeed[2]).contains("--seed 9: " + lm + " trained seeds [3, 4]"), String.valueOf(wrongSeed[2]));
        Object[] tokenizer = MeasureCommandTest.measure("saturation", lm.toString(), "--tokenizer", "t.json");
        assertEquals(2, tokenizer[0]);
        Object[] p1Seed = MeasureCommandTest.measure("saturation", run.toString(), "--seed", "1");
        assertEquals(2, p1Seed[0], "--seed is for LM runs");
    }

    @Test
    void saturationReportsEveryLayerAndHead() throws Exception {
        Object[] r = MeasureCommandTest.measure("saturation", run.toString(), "--batch", "16", "--json");
        assertEquals(0, r[0], String.valueOf(r[2]));
        JsonNode out = JSON.readTree((String) r[1]);
        assertEquals(2, out.get("layers").size());
        for (JsonNode l : out.get("layers")) {
            assertTrue(Math.abs(l.get("similarity").asDouble()) <= 1, l.toString());
            assertTrue(Math.abs(l.get("anisotropy").asDouble()) <= 1 + 1e-12, l.toString());
        }
        assertEquals(4, out.get("heads").size(), "2 layers x 2 heads");
        assertEquals(4, out.get("local_heads").asInt() + out.get("global_heads").asInt());
        long counted = 0;
        for (JsonNode n : out.get("histograms").get("positions").get("counts")) counted += n.asLong();
        assertEquals(4, counted);
        Object[] table = MeasureCommandTest.measure("saturation", run.toString(), "--batch", "16", "--random-init", "5");
        assertTrue(((String) table[1]).contains("random init seed 5"), (String) table[1]);
    }

    @Test
    void badInputIsOneClearMessageAndExitCode2() throws Exception {
        Path fresh = tmp.resolve("one-checkpoint");
        RunConfig c = RunConfig.defaults().with(Map.of("n", 4, "d", 8, "batch", 8, "steps", 2, "maxLen", 4, "evalBatches", 1, "checkpointEvery", 1));
        RunDir dir = new RunDir(fresh);
        dir.init(c);
        new Trainer(List.of(new Trainer.Run(c, dir)), null).run();
        Object[] few = MeasureCommandTest.measure("norms", fresh.toString());
        assertEquals(2, few[0]);
        assertTrue(((String) few[2]).contains("--keep-checkpoints"), (String) few[2]);
        Object[] badC = MeasureCommandTest.measure("saturation", run.toString(), "--c", "-1");
        assertEquals(2, badC[0]);
        Object[] noText = MeasureCommandTest.measure("saturation", tmp.resolve("missing.onnx").toString());
        assertEquals(2, noText[0]);
        assertTrue(((String) noText[2]).contains("--text"), (String) noText[2]);
        assertTrue(Files.exists(run));
    }
}
