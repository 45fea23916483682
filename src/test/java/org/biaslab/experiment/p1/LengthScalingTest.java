package org.biaslab.experiment.p1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.probe.curvature.CurvatureConfig;
import org.biaslab.report.SweepReport;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LengthScalingTest {
    @TempDir
    Path tmp;

    /** Two sweeps as P1's: all functions at short lengths, and FIRST alone longer with a d = 4 model in higher_len/. */
    private static LengthScaling tiny() {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 4, "d", 16, "batch", 32, "steps", 20, "maxLen", 8, "evalEvery", 20,
                "evalBatches", 1, "checkpointEvery", 20, "logEvery", 10));
        return new LengthScaling(List.of(
                new LengthScaling.Sweep("short", "", List.of("parity", "first"), List.of(3, 4), List.of(0L, 1L), base, 2, 64),
                new LengthScaling.Sweep("long", "higher_len", List.of("first"), List.of(3, 12), List.of(0L), base.with(Map.of("d", 4)), 1, 16)),
                new SharpnessConfig(0.02, 3, 0, "positional_encoding", true), new CurvatureConfig(1, 1e-2, 4, 3, 0));
    }

    @Test
    void p1sTwoGridsEvaluatedOverAThousandBatchesAfterTraining() {
        LengthScaling full = LengthScaling.full();
        LengthScaling.Sweep first = full.sweeps().get(0), higher = full.sweeps().get(1);
        assertEquals(27 * 10 * 4, first.runs().size()); // length_scaling_1: 1,080 runs
        assertEquals(1024, first.batch());
        assertEquals(20 * 10 * 3, higher.runs().size()); // length_scaling_2: 600 runs
        assertEquals(20, LengthScaling.HIGHER_LENGTHS.size());
        assertEquals(List.of(4, 31, 57), LengthScaling.HIGHER_LENGTHS.subList(0, 3));
        assertEquals(512, higher.runs().stream().mapToInt(RunConfig::n).max().getAsInt());
        assertEquals(Set.of("majority", "first", "mean"), Set.copyOf(higher.functions()));
        assertEquals(128, higher.batch(), "P1 measures on batches of the training batch size");
        for (RunConfig c : higher.runs()) assertTrue(c.d() == 4 && c.batch() == 128 && c.maxLen() >= c.n(), c.toString());
        for (RunConfig c : full.runs()) {
            assertEquals(10_000, c.steps());
            assertEquals(SweepReport.P1_EVAL_BATCHES, c.evalBatches());
            assertEquals(c.steps(), c.evalEvery(), "evaluated once, after the last step");
        }
    }

    @Test
    void everyFunctionOfASweepTrainsAsLongAndEachLengthIsOneEnsemble() {
        for (LengthScaling e1 : List.of(LengthScaling.quick(), LengthScaling.full())) {
            for (LengthScaling.Sweep s : e1.sweeps()) {
                assertEquals(1, s.runs().stream().mapToLong(RunConfig::steps).distinct().count(), s.name());
                for (int n : s.lengths()) {
                    List<RunConfig> atN = s.runs().stream().filter(c -> c.n() == n).toList();
                    assertEquals(s.functions().size() * s.seeds().size(), atN.size());
                    assertTrue(atN.stream().allMatch(c -> c.ensembleCompatible(atN.get(0))), s.name() + " n = " + n);
                }
            }
        }
        assertEquals(Set.of("majority", "first", "mean"), Set.copyOf(LengthScaling.quick().sweeps().get(1).functions()));
    }

    @Test
    void slicesTrainTheirRunsTheReportCoversAllTrainedAndNothingIsRedone() throws Exception {
        List<String> events = new ArrayList<>();
        RunQueue.Observer observer = new TrainingEvents(events);
        MeasurementProgress progress = new MeasurementProgress() {
            @Override
            public void measuring(int index, int total, Path run) {
                events.add("measure " + tmp.relativize(run));
            }

            @Override
            public MeasurementProgress.Batches batches(int before, int batches) {
                assertEquals(0, before, "nothing measured before");
                int[] done = {0};
                return new MeasurementProgress.Batches() {
                    @Override
                    public void accept(int d) {
                        assertEquals(done[0] + 1, d, "batches counted one by one");
                        done[0] = d;
                    }

                    @Override
                    public void close() {
                        assertEquals(batches, done[0], "every batch counted before the counter closes");
                        events.add("batches " + done[0]);
                    }
                };
            }
        };
        LengthScaling.Outcome first = tiny().run(tmp, new LengthScaling.Slice(Set.of("long"), new RunFilter(null, null, Set.of(12))), 64, observer, progress);
        assertEquals(List.of("train 1", "measure higher_len/first-n12-s0", "batches 1"), events);
        String html = Files.readString(first.report());
        assertTrue(html.contains("8 of the sweep&#39;s 8 runs not started"), "the short sweep is not run yet");
        assertTrue(html.contains("1 of the sweep&#39;s 2 runs not started"), "nor the long sweep's n = 3");
        assertTrue(first.line().startsWith("E1 long (n = 3 … 12, d = 4, batch 32: first): "), first.line());
        Files.delete(first.report());
        events.clear();
        tiny().run(tmp, new LengthScaling.Slice(Set.of(), RunFilter.ALL), 64, observer, progress);
        assertEquals(List.of(), events, "a slice of no sweep trains and measures nothing");
        assertTrue(Files.readString(first.report()).contains("first-n12-s0"), "but reports what is there");

        events.clear();
        tiny().run(tmp, new LengthScaling.Slice(Set.of("short"), new RunFilter(null, Set.of(1L), null)), 64, observer, progress);
        assertEquals(List.of("train 2", "train 2"), events.subList(0, 2), "seed 1 of both functions at one length train together");
        assertEquals(List.of("measure parity-n3-s1", "measure first-n3-s1", "batches 2", "measure parity-n4-s1", "measure first-n4-s1", "batches 2"),
                events.subList(2, 8), "an ensemble's runs announced, then its batches counted");

        events.clear();
        LengthScaling.Outcome all = tiny().run(tmp, LengthScaling.Slice.ALL, 64, observer, progress);
        assertEquals(List.of("train 2", "train 2", "train 1"), events.stream().filter(e -> e.startsWith("train")).toList());
        assertEquals(5, events.stream().filter(e -> e.startsWith("measure")).count());
        assertEquals(2, all.line().lines().count(), all.line());
        assertTrue(all.line().matches("(?s)E1 short \\(n = 3 … 4, d = 16, batch 32: parity, first\\): \\d+ of 8 runs converged.*"), all.line());
        JsonNode m = RunMeasurements.JSON.readTree(tmp.resolve("parity-n4-s1/measurements.json").toFile());
        assertEquals(20, m.path("step").asLong());
        assertEquals(64, m.path("batch").asLong());
        assertEquals(16, RunMeasurements.JSON.readTree(tmp.resolve("higher_len/first-n12-s0/measurements.json").toFile()).path("batch").asLong());
        for (String key : new String[] {"measure/sharpness_x4", "measure/blowup_encoder_maxs_prod", "measure/param_norm",
                "measure/hessian_top_eigenvalue", "measure/hessian_trace", "measure/hessian_trace_sharpness"}) {
            assertTrue(Double.isFinite(m.path(key).asDouble(Double.NaN)), key);
        }
        assertFalse(Files.readString(all.report()).contains("not started"));
        events.clear();
        tiny().run(tmp, LengthScaling.Slice.ALL, 64, observer, progress);
        assertEquals(List.of(), events);
    }

    @Test
    void aSliceNamingWhatTheGridLacksIsRefusedBeforeAnythingIsWritten() {
        Path dir = tmp.resolve("a");
        assertEquals("E1 has no sweep 'medium' (it has short, long)", refused(dir, new LengthScaling.Slice(Set.of("medium"), RunFilter.ALL)));
        assertEquals("E1's sweeps chosen have no function parity (only first)",
                refused(dir, new LengthScaling.Slice(Set.of("long"), new RunFilter(Set.of("parity"), null, null))));
        assertEquals("E1's sweeps chosen have no seed 5 (only 0, 1)", refused(dir, new LengthScaling.Slice(null, new RunFilter(null, Set.of(5L), null))));
        assertEquals("E1's sweeps chosen have no length 4 (only 3, 12)", refused(dir, new LengthScaling.Slice(Set.of("long"), new RunFilter(null, null, Set.of(4)))));
        assertFalse(Files.exists(dir));
    }

    private static String refused(Path dir, LengthScaling.Slice slice) {
        return assertThrows(IllegalArgumentException.class, () -> tiny().run(dir, slice, 64, new TrainingEvents(new ArrayList<>()),
                (i, total, run) -> { })).getMessage();
    }
}
