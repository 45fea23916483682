package org.biaslab.experiment.p1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.probe.curvature.CurvatureConfig;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LengthScalingTest {
    @TempDir
    Path tmp;

    private static LengthScaling tiny() {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 4, "d", 16, "batch", 32, "steps", 20, "maxLen", 8, "evalEvery", 20,
                "evalBatches", 1, "checkpointEvery", 20, "logEvery", 10));
        return new LengthScaling(List.of("parity", "first"), List.of(3, 4), List.of(0L, 1L), base, 30, 2, 64,
                new SharpnessConfig(0.02, 3, 0, "positional_encoding", true), new CurvatureConfig(1, 1e-2, 4, 3, 0));
    }

    @Test
    void theGridHasEveryFunctionLengthAndSeedWithParityTrainedLonger() {
        List<RunConfig> runs = tiny().runs();
        assertEquals(8, runs.size());
        for (RunConfig c : runs) assertEquals(c.task().equals("parity") ? 30 : 20, c.steps());
        assertEquals(4, runs.stream().filter(c -> c.n() == 4).count());
        assertEquals(LengthScaling.full().runs().size(), 27 * 10 * 4); // P1's 1,080 runs
    }

    @Test
    void trainsMeasuresReportsAndOnASecondRunDoesNothingAgain() throws Exception {
        List<String> events = new ArrayList<>();
        RunQueue.Observer observer = new TrainingEvents(events);
        LengthScaling.Outcome outcome = tiny().run(tmp, 64, observer, (i, total, run) -> events.add("measure " + run.getFileName()));
        assertTrue(Files.size(outcome.report()) > 1000);
        // the summary counts the runs and names a slope per function that converged at two lengths or more
        assertTrue(outcome.line().startsWith("E1: "), outcome.line());
        assertTrue(outcome.line().matches("E1: \\d+ of 8 runs converged.*"), outcome.line());
        assertEquals(List.of("train 2", "train 2", "train 2", "train 2"), events.subList(0, 4)); // per (n, function)
        assertEquals(8, events.stream().filter(e -> e.startsWith("measure")).count());
        JsonNode m = RunMeasurements.JSON.readTree(tmp.resolve("parity-n4-s1/measurements.json").toFile());
        assertEquals(30, m.path("step").asLong());
        for (String key : new String[] {"measure/sharpness_x4", "measure/blowup_encoder_maxs_prod", "measure/param_norm",
                "measure/hessian_top_eigenvalue", "measure/hessian_trace", "measure/hessian_trace_sharpness"}) {
            assertTrue(Double.isFinite(m.path(key).asDouble(Double.NaN)), key);
        }
        events.clear();
        tiny().run(tmp, 64, observer, (i, total, run) -> events.add("measure " + run.getFileName()));
        assertEquals(List.of(), events);
    }
}
