package org.biaslab.experiment.p1;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1ScratchpadTransformer;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchpadTest {
    @TempDir
    Path tmp;

    @Test
    void p1sFilterKeepsRunsDecodingAboveNinetyNinePointNinePercent() {
        assertTrue(Scratchpad.kept(Map.of("measure/autoregressive_accuracy", 0.9995)));
        assertFalse(Scratchpad.kept(Map.of("measure/autoregressive_accuracy", 0.999)), "P1's filter is strict");
        assertFalse(Scratchpad.kept(Map.of("measure/accuracy", 1.0)), "teacher-forced accuracy does not count");
        assertFalse(Scratchpad.kept(Map.of()));
    }

    @Test
    void p1sGridIsThirtyLengthsUpTo1024TimesTenSeedsOfTheD32Model() {
        List<RunConfig> runs = Scratchpad.full().runs();
        assertEquals(300, runs.size());
        assertEquals(1024, runs.stream().mapToInt(RunConfig::n).max().getAsInt());
        for (RunConfig c : runs) {
            assertTrue(c.scratchpad() && c.d() == 32 && c.batch() == 128 && c.maxLen() >= c.n() && c.evalBatches() == 1000, c.toString());
        }
        assertEquals(128, Scratchpad.full().batch(), "P1 measures on batches of the training batch size");
    }

    @Test
    void theScratchpadModelsNormTimesBlowupUsesTheDecoderBlowup() {
        P1ScratchpadTransformer m = new P1ScratchpadTransformer(16, 2, 2, 8, Init.f32(5));
        RunConfig c = RunConfig.defaults().with(Map.of("scratchpad", true, "n", 6, "d", 16, "maxLen", 8));
        Sampler s = Sampler.uniform(List.of(Trainer.task(c)), new long[] {5}, 32);
        Map<String, double[]> v = FinalMeasurements.measure(m, i -> s.next(i, 2), 1, FinalMeasurements.Plan.p1(0), null);
        double norm = v.get("param_norm")[0], decoder = v.get("blowup_decoder_maxs_prod")[0], encoder = v.get("blowup_encoder_maxs_prod")[0];
        assertNotEquals(encoder, decoder, 1e-6 * decoder);
        assertEquals(norm * decoder, v.get("param_norm_x_blowup")[0], 1e-12 * norm * decoder);
        assertEquals(norm * encoder, v.get("param_norm_x_blowup_encoder_maxs_prod")[0], 1e-12 * norm * encoder);
    }

    @Test
    void trainsMeasuresFiltersAndOnASecondRunDoesNothingAgain() throws Exception {
        Scratchpad e4 = tiny(30);
        List<String> events = new ArrayList<>();
        RunQueue.Observer observer = new TrainingEvents(events);
        ScratchpadReport.Outcome outcome = e4.run(tmp, RunFilter.ALL, 64, observer, (i, total, run) -> events.add("measure " + run.getFileName()));
        assertEquals(List.of("train 2", "train 2"), events.subList(0, 2), "one ensemble per length");
        assertEquals(4, events.stream().filter(e -> e.startsWith("measure")).count());
        int kept = 0;
        for (RunConfig c : e4.runs()) {
            JsonNode m = RunMeasurements.JSON.readTree(tmp.resolve(c.defaultName()).resolve("measurements.json").toFile());
            for (String k : List.of("autoregressive_accuracy", "sharpness_x4", "blowup_encoder_maxs_prod", "blowup_decoder_maxs_prod")) {
                assertTrue(Double.isFinite(m.path("measure/" + k).asDouble(Double.NaN)), k);
            }
            if (m.path("measure/autoregressive_accuracy").asDouble() > Scratchpad.MIN_AUTOREGRESSIVE_ACCURACY) kept++;
        }
        assertEquals(4, outcome.runs());
        assertEquals(kept, outcome.kept());
        String html = Files.readString(tmp.resolve("report.html"));
        assertEquals(4 - kept, html.split("is not above 0.999").length - 1, "each excluded run is listed with its reason");
        events.clear();
        e4.run(tmp, RunFilter.ALL, 64, observer, (i, total, run) -> events.add("measure " + run.getFileName()));
        assertEquals(List.of(), events);
    }

    @Test
    void aSliceTrainsItsRunsAndTheReportCountsTheRest() throws Exception {
        Scratchpad e4 = tiny(20);
        List<String> events = new ArrayList<>();
        ScratchpadReport.Outcome outcome = e4.run(tmp, new RunFilter(null, Set.of(1L), Set.of(3)), 64, new TrainingEvents(events),
                (i, total, run) -> events.add("measure " + run.getFileName()));
        assertEquals(List.of("train 1", "measure " + e4.runs().get(3).defaultName()), events);
        assertEquals(1, outcome.runs());
        assertTrue(Files.readString(tmp.resolve("report.html")).contains("3 of the grid&#39;s 4 runs not started"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> e4.run(tmp.resolve("b"), new RunFilter(null, null, Set.of(7)), 64, new TrainingEvents(events), (i, total, run) -> { }));
        assertEquals("E4 has no length 7 (only 2, 3)", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("b")));
    }

    /** E4 at n = 2, 3 with seeds 0, 1: a d = 16 model trained for {@code steps}, measured on one batch of 32. */
    private static Scratchpad tiny(int steps) {
        RunConfig base = RunConfig.defaults().with(Map.of("scratchpad", true, "n", 3, "d", 16, "batch", 32, "lr", 1e-2, "steps", steps,
                "maxLen", 8)).with(Map.of("logEvery", 20, "evalEvery", steps, "evalBatches", 1, "checkpointEvery", steps));
        return new Scratchpad(List.of(2, 3), List.of(0L, 1L), base, 1, 32, new SharpnessConfig(0.02, 3, 0, "positional_encoding", true));
    }
}
