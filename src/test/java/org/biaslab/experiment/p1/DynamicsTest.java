package org.biaslab.experiment.p1;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.biaslab.data.Batch;
import org.biaslab.experiment.p1.DynamicsAlignment.Curve;
import org.biaslab.nn.Module;
import org.biaslab.probe.DynamicMeasurements;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynamicsTest {
    @TempDir
    Path tmp;

    @Test
    void aRunConvergesAtItsFirstLoggedStepWithLossBelowOneHundredth() {
        double[] steps = {100, 200, 300, 400, 500};
        assertEquals(400, DynamicsAlignment.convergenceStep(steps, new double[] {0.25, 0.1, 0.01, 0.009, 0.02}).getAsDouble());
        assertTrue(DynamicsAlignment.convergenceStep(steps, new double[] {0.25, 0.1, 0.01, 0.05, 0.02}).isEmpty());
        Curve shifted = DynamicsAlignment.shift(new Curve(steps, new double[] {1, 2, 3, 4, 5}), 400);
        assertArrayEquals(new double[] {-300, -200, -100, 0, 100}, shifted.x());
        assertEquals(3, shifted.at(-50).getAsDouble());
        assertTrue(shifted.at(-301).isEmpty());
    }

    @Test
    void theMeanKeepsXValuesPresentInAtLeastAQuarterOfTheRunsAndAtLeastThree() {
        List<Curve> runs = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            // every run has x = 0 and 1; x = 2 runs 0-2 (three, more than a quarter); x = 3 runs 0 and 1 (a quarter, but
            // two); x = 4 only run 0; run 7's value at 1 is NaN
            double[] x = r == 0 ? new double[] {0, 1, 2, 3, 4} : r == 1 ? new double[] {0, 1, 2, 3} : r == 2 ? new double[] {0, 1, 2} : new double[] {0, 1};
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = r == 7 && i == 1 ? Double.NaN : 10 * x[i] + r;
            runs.add(new Curve(x, y));
        }
        Curve mean = DynamicsAlignment.mean(runs);
        assertArrayEquals(new double[] {0, 1, 2}, mean.x());
        assertArrayEquals(new double[] {3.5, 10 + 3, 20 + 1}, mean.y(), 1e-12); // x = 1 averages runs 0–6 only
    }

    /**
     * Made-up runs: two converge at steps 300 and 500 and end with eval loss below 0.001; one never converges; one reaches
     * fixed-batch loss 0.001 at step 400 but ends with eval loss 0.002, so P1's filter drops it.
     */
    @Test
    void theReportKeepsRunsWithFinalEvalLossBelowAThousandthAndAlignsThemAtConvergence() throws Exception {
        Dynamics e3 = new Dynamics(6, List.of(new Dynamics.Sweep(1000, List.of(0.1))), List.of(0L, 1L, 2L, 3L), RunConfig.defaults(),
                100, 64, 5, 100, 300);
        List<Trainer.Run> runs = new ArrayList<>();
        long[] convergeAt = {300, 500, Long.MAX_VALUE, 400};
        double[] evalLoss = {2e-4, 9e-4, 0.2, 0.002};
        for (int s = 0; s < 4; s++) {
            RunConfig c = e3.runs().get(s);
            Trainer.Run run = RunQueue.prepare(tmp.resolve(Dynamics.group(c)), List.of(c)).get(0);
            for (long step = 100; step <= 1000; step += 100) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", step);
                m.put("train/loss", 0.2);
                long after = step - convergeAt[s];
                m.put("dynamic/loss", after >= 0 ? 0.001 : 0.2);
                m.put("dynamic/sharpness", 0.01 * (s + 1) + (after >= 0 ? 0.1 : 0));
                m.put("dynamic/blowup_encoder_maxs_prod", 1.0 + Math.max(0, after) / 100.0);
                m.put("dynamic/squared_param_norm", Math.pow(20 - Math.max(0, after) / 100.0, 2));
                run.dir().log(m);
            }
            run.dir().writeSummary(Map.of("steps", 1000, "eval/loss", evalLoss[s]));
            runs.add(run);
        }
        DynamicsReport.Group g = DynamicsReport.write(tmp, e3, runs, 0).get(0);
        assertEquals(4, g.runs());
        assertEquals(2, g.converged());
        assertEquals(400, g.convergedAt());
        // the mean needs both kept runs: x runs from −200 (run 0's first) over 0 to 500 (run 1's last), where
        // the sharpness is (0.01 + 0.02)/2 before convergence and 0.1 more after it
        assertArrayEquals(new double[] {4 * 0.015, 4 * (0.015 + 0.1), 4 * (0.015 + 0.1)}, g.sharpness(), 1e-12);
        assertArrayEquals(new double[] {1, 1, 1 + 5}, g.blowup(), 1e-12);
        assertArrayEquals(new double[] {19, 17}, g.windowNorm(), 1e-12);
        assertArrayEquals(new double[] {2, 4}, g.windowBlowup(), 1e-12);
        assertTrue(DynamicsReport.line(List.of(g)).startsWith("2 of 4 runs converged; sharpness ×4 and blowup from their lowest before "
                + "convergence to convergence: wd 0.1 0.0600 → 0.460, 1.00 → 1.00; weight norm across the window after it: wd 0.1 19.00 → 17.00"),
                DynamicsReport.line(List.of(g)));
        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.contains("parity-n6-s2: final eval loss 0.200 is not below 0.001 (P1&#39;s filter)"), "the unconverged run is listed");
        assertTrue(html.contains("parity-n6-s3: final eval loss 0.00200 is not below 0.001"), "so is the one that only the fixed batch fits");
        assertTrue(html.contains("over 10 fresh eval batches after the last step (P1 evaluates over 1000"), "the report names the evaluation");
        assertTrue(Files.exists(tmp.resolve("plots/e3_main_1000_wd0.1.png")) && Files.exists(tmp.resolve("plots/e3_tradeoff_1000.svg")));
    }

    @Test
    void runsStillTrainingAreDrawnApartAgainstTheirStepsAndNotFiltered() throws Exception {
        Dynamics e3 = new Dynamics(6, List.of(new Dynamics.Sweep(1000, List.of(0.1))), List.of(0L, 1L), RunConfig.defaults(),
                100, 64, 5, 100, 300);
        List<Trainer.Run> runs = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            RunConfig c = e3.runs().get(s);
            Trainer.Run run = RunQueue.prepare(tmp.resolve(Dynamics.group(c)), List.of(c)).get(0);
            long until = s == 0 ? 1000 : 600; // run 1 is at step 600 of 1000
            for (long step = 100; step <= until; step += 100) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", step);
                m.put("dynamic/loss", step >= 300 ? 0.001 : 0.2);
                m.put("dynamic/sharpness", 0.01);
                m.put("dynamic/blowup_encoder_maxs_prod", 1.0);
                m.put("dynamic/squared_param_norm", 400.0);
                run.dir().log(m);
            }
            if (s == 0) run.dir().writeSummary(Map.of("steps", 1000, "eval/loss", 1e-4));
            runs.add(run);
        }
        DynamicsReport.Group g = DynamicsReport.write(tmp, e3, runs, 0).get(0);
        assertEquals(2, g.runs());
        assertEquals(1, g.converged());
        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.contains("parity-n6-s1: still training"), "listed apart");
        assertTrue(html.contains("Still training (1 run, up to step 600)"), "and drawn against its steps");
        assertTrue(Files.exists(tmp.resolve("plots/e3_main_1000_wd0.1_training.svg")));
        Files.delete(runs.get(0).dir().path().resolve("summary.json")); // both training: no NaN in the console line
        assertEquals("0 of 2 runs converged: nothing to align yet", DynamicsReport.line(DynamicsReport.write(tmp, e3, runs, 0)));
    }

    @Test
    void p1sFilterReadsTheFinalEvalLoss() {
        assertTrue(DynamicsReport.whyExcluded(Map.of("eval/loss", 9.99e-4)).isEmpty());
        assertEquals("final eval loss 0.00100 is not below 0.001 (P1's filter)", DynamicsReport.whyExcluded(Map.of("eval/loss", 1e-3)).get());
        assertEquals("final eval loss missing is not below 0.001 (P1's filter)", DynamicsReport.whyExcluded(Map.of("steps", 10)).get());
        assertEquals("not finished (no summary.json)", DynamicsReport.whyExcluded(null).get());
    }

    private static Dynamics tiny() {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 4, "d", 16, "batch", 32, "lr", 3e-3, "maxLen", 8, "logEvery", 10,
                "evalEvery", 40, "evalBatches", 1, "checkpointEvery", 20));
        return new Dynamics(4, List.of(new Dynamics.Sweep(40, List.of(0.0, 0.2))), List.of(3L), base, 10, 48, 3, 10, 30);
    }

    @Test
    void loggedMeasurementsEqualAMeasurementOfTheCheckpointAndFinishedRunsAreNotRedone() throws Exception {
        List<String> events = new ArrayList<>();
        RunQueue.Observer observer = new RunQueue.Observer() {
            @Override
            public Trainer.Listener starting(List<Trainer.Run> group, long from) {
                events.add("train " + group.size() + " from " + from);
                return null;
            }

            @Override
            public void finished(List<Trainer.Run> group) {
            }
        };
        Dynamics e3 = tiny();
        assertEquals(2, e3.run(tmp, null, RunFilter.ALL, 64, observer).size());
        assertEquals(List.of("train 2 from 0"), events, "weight decays 0 and 0.2 train as one ensemble");
        for (RunConfig c : e3.runs()) {
            RunDir dir = new RunDir(tmp.resolve(Dynamics.group(c)).resolve(c.defaultName()));
            List<Map<String, Object>> logged = dir.metrics().stream().filter(m -> m.containsKey("dynamic/sharpness")).toList();
            assertEquals(List.of(10, 20, 30, 40), logged.stream().map(m -> m.get("step")).toList());
            // the run alone, at its last checkpoint, measured on its own fixed batch with its own noise seed
            var loaded = RunMeasurements.LoadedRun.load(dir.path());
            Batch fixed = e3.fixedBatch(List.of(loaded.task()), new long[] {c.seed()});
            Map<String, double[]> alone = measure(loaded.model(), fixed, e3, c.seed());
            for (String k : alone.keySet()) {
                double v = ((Number) logged.get(3).get(k)).doubleValue();
                assertEquals(alone.get(k)[0], v, 1e-6 + 1e-4 * Math.abs(v), c.weightDecay() + " " + k);
            }
        }
        assertTrue(Files.size(tmp.resolve("report.html")) > 1000);
        events.clear();
        e3.run(tmp, null, RunFilter.ALL, 64, observer);
        assertEquals(List.of(), events);
    }

    @Test
    void aSliceTrainsTheSweepsAndSeedsNamedAndTheReportCountsTheRest() throws Exception {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 4, "d", 16, "batch", 32, "lr", 3e-3, "maxLen", 8, "logEvery", 10,
                "evalEvery", 40, "evalBatches", 1, "checkpointEvery", 20));
        Dynamics e3 = new Dynamics(4, List.of(new Dynamics.Sweep(20, List.of(0.0, 0.2)), new Dynamics.Sweep(40, List.of(0.1))),
                List.of(3L, 4L), base, 10, 48, 3, 10, 30);
        List<String> events = new ArrayList<>();
        RunQueue.Observer observer = new RunQueue.Observer() {
            @Override
            public Trainer.Listener starting(List<Trainer.Run> group, long from) {
                group.forEach(r -> events.add(r.config().steps() + " " + r.config().weightDecay() + " " + r.config().seed()));
                return null;
            }

            @Override
            public void finished(List<Trainer.Run> group) {
            }
        };
        e3.run(tmp, Set.of(20L), new RunFilter(null, Set.of(4L), null), 64, observer);
        assertEquals(List.of("20 0.0 4", "20 0.2 4"), events);
        assertTrue(Files.readString(tmp.resolve("report.html")).contains("4 of the grid&#39;s 6 runs not started"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> e3.run(tmp.resolve("b"), Set.of(30L), RunFilter.ALL, 64, observer));
        assertEquals("E3 has no sweep of 30 steps (only 20, 40)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> e3.run(tmp.resolve("b"), null, new RunFilter(null, Set.of(5L), null), 64, observer));
        assertEquals("E3 has no seed 5 (only 3, 4)", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("b")));
        assertEquals("no runs trained yet", DynamicsReport.line(e3.run(tmp.resolve("c"), null, RunFilter.NONE, 64, observer)));
        assertTrue(Files.readString(tmp.resolve("c/report.html")).contains("6 of the grid&#39;s 6 runs not started"));
    }

    @Test
    void resumingFromACheckpointLogsTheSameMeasurements() throws Exception {
        RunQueue.Observer quiet = new RunQueue.Observer() {
            @Override
            public Trainer.Listener starting(List<Trainer.Run> group, long from) {
                return null;
            }

            @Override
            public void finished(List<Trainer.Run> group) {
            }
        };
        Dynamics e3 = tiny();
        e3.run(tmp.resolve("straight"), null, RunFilter.ALL, 64, quiet);
        // the same runs interrupted after their checkpoint at step 20, then resumed
        List<Trainer.Run> runs = new ArrayList<>();
        for (RunConfig c : e3.runs()) runs.addAll(RunQueue.prepare(tmp.resolve("resumed").resolve(Dynamics.group(c)), List.of(c)));
        Trainer first = new Trainer(runs, (step, total, loss, rate) -> {
            if (step == 25) throw new IllegalStateException("interrupted");
        });
        assertThrows(IllegalStateException.class, () -> first.measureEvery(10, e3.measurement(runs)::measure).run());
        e3.run(tmp.resolve("resumed"), null, RunFilter.ALL, 64, quiet);
        for (RunConfig c : e3.runs()) {
            String run = Dynamics.group(c) + "/" + c.defaultName();
            List<Object> a = sharpness(tmp.resolve("straight").resolve(run)), b = sharpness(tmp.resolve("resumed").resolve(run));
            assertEquals(4, a.size());
            assertEquals(a, b);
        }
    }

    private static List<Object> sharpness(Path run) throws Exception {
        return new RunDir(run).metrics().stream().filter(m -> m.containsKey("dynamic/sharpness")).map(m -> m.get("dynamic/sharpness")).toList();
    }

    private static Map<String, double[]> measure(Module model, Batch fixed, Dynamics e3, long seed) {
        return new DynamicMeasurements(fixed, SharpnessConfig.p1(0).withRepeats(e3.repeats()), new long[] {seed}).measure(model, 0);
    }

    @Test
    void p1sSweepsAndAnEmptyWindowIsRejected() {
        Dynamics full = Dynamics.full();
        assertEquals(101 * 4 + 101 * 2, full.runs().size());
        assertEquals(25, full.runs().get(0).n());
        assertEquals(100_000, full.runs().get(full.runs().size() - 1).steps());
        for (RunConfig c : full.runs()) {
            assertEquals(1000, c.evalBatches());
            assertEquals(c.steps(), c.evalEvery(), "P1 evaluates once, after the last step");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new Dynamics(6, List.of(), List.of(), RunConfig.defaults(), 10,
                8, 1, 300, 100));
        assertTrue(e.getMessage().contains("window"), e.getMessage());
    }
}
