package org.biaslab.experiment.p1;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.biaslab.report.TradeoffReport;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TradeoffTest {
    @TempDir
    Path tmp;

    @Test
    void theFullSearchIsRepeatableAndCoversP1sRanges() {
        Tradeoff full = Tradeoff.full();
        var runs = full.runs();
        assertEquals(runs, Tradeoff.full().runs()); // the same draws every time: a reproduction resumes
        assertEquals(3000, runs.size());
        Map<String, Integer> perSweep = new java.util.TreeMap<>();
        double lrMin = 1, lrMax = 0, wdMin = 1, wdMax = 0;
        for (var e : runs.entrySet()) {
            String sweep = e.getKey().substring(0, e.getKey().indexOf('-'));
            perSweep.merge(sweep, 1, Integer::sum);
            RunConfig c = e.getValue();
            assertTrue(c.lr() >= 1e-4 && c.lr() <= 5e-4 && c.weightDecay() >= 0 && c.weightDecay() <= 0.4, e.getKey());
            lrMin = Math.min(lrMin, c.lr());
            lrMax = Math.max(lrMax, c.lr());
            wdMin = Math.min(wdMin, c.weightDecay());
            wdMax = Math.max(wdMax, c.weightDecay());
            assertTrue(e.getKey().endsWith("-" + c.task() + "-n" + c.n()), e.getKey());
            assertEquals(10_000, c.steps());
            switch (sweep) {
                case "tradeoff_1" -> assertTrue(Set.of("majority", "first", "mean").contains(c.task()) && c.n() >= 4 && c.n() <= 25);
                case "tradeoff_2" -> assertTrue(c.task().equals("parity") && c.n() >= 4 && c.n() <= 25);
                case "tradeoff_3" -> assertTrue(Set.of(5, 10, 15, 20).contains(c.n()) && c.seed() >= 0 && c.seed() <= 1000);
                case "tradeoff_4" -> assertTrue(Set.of(5, 10, 15, 20).contains(c.n()) && c.seed() >= 1001 && c.seed() <= 2000);
                default -> throw new AssertionError(sweep);
            }
        }
        assertEquals(Map.of("tradeoff_1", 1000, "tradeoff_2", 1000, "tradeoff_3", 500, "tradeoff_4", 500), perSweep);
        // 1000 uniform draws reach within 1% of each end of the ranges
        assertTrue(lrMin < 1.04e-4 && lrMax > 4.96e-4 && wdMin < 0.004 && wdMax > 0.396, lrMin + " " + lrMax + " " + wdMin + " " + wdMax);
        Set<Integer> lengths = new HashSet<>();
        Set<String> functions = new HashSet<>();
        runs.forEach((name, c) -> {
            if (name.startsWith("tradeoff_1")) lengths.add(c.n());
            if (name.startsWith("tradeoff_3")) functions.add(c.task());
        });
        assertEquals(22, lengths.size());
        assertEquals(Set.of("parity", "majority", "first", "mean"), functions);
        Tradeoff reseeded = new Tradeoff(full.sweeps(), full.lr(), full.weightDecay(), full.base(), full.panels(),
                full.batches(), full.batch(), 1);
        assertNotEquals(runs, reseeded.runs());
    }

    @Test
    void runsAtOneLengthTrainAsOneEnsembleWithTheirOwnLrAndWeightDecay() throws Exception {
        List<Trainer.Run> runs = RunQueue.prepare(tmp, Tradeoff.quick().runs());
        List<List<Trainer.Run>> groups = RunQueue.groups(runs, 64);
        assertEquals(runs.stream().map(r -> r.config().n()).distinct().count(), groups.size());
        for (List<Trainer.Run> g : groups) {
            RunConfig first = g.getFirst().config();
            for (Trainer.Run r : g) assertEquals(first.n(), r.config().n());
            if (g.size() > 1) assertTrue(g.stream().map(r -> r.config().weightDecay()).distinct().count() > 1, "one ensemble, several decays");
        }
    }

    @Test
    void trainsMeasuresFiltersReportsAndOnASecondRunDoesNothingAgain() throws Exception {
        Tradeoff tiny = tiny(3, 30, 2, 64, 5);
        List<String> events = new ArrayList<>();
        RunQueue.Observer observer = new TrainingEvents(events);
        TradeoffReport.Summary s = tiny.run(tmp, RunFilter.ALL, 64, observer, (i, total, run) -> events.add("measure " + run.getFileName()));
        assertEquals(3, s.runs());
        assertEquals(3, events.stream().filter(e -> e.startsWith("measure")).count());
        int converged = 0;
        for (String name : tiny.runs().keySet()) {
            JsonNode m = RunMeasurements.JSON.readTree(tmp.resolve(name + "/measurements.json").toFile());
            assertTrue(m.path("measure/blowup_encoder_maxs_prod").asDouble() > 0 && m.path("measure/param_norm").asDouble() > 0, name);
            assertTrue(m.path("measure/sharpness").isMissingNode(), "E2 does not measure sharpness");
            double loss = RunMeasurements.JSON.readTree(tmp.resolve(name + "/summary.json").toFile()).path("eval/loss").asDouble();
            if (loss < 1e-3) converged++;
        }
        assertEquals(converged, s.converged()); // P1's filter, eval loss < 0.001
        String html = Files.readString(s.report());
        assertTrue(html.contains("What was excluded and why"));
        if (converged < 3) assertTrue(html.contains("did not converge"), "the excluded runs are counted");
        events.clear();
        tiny.run(tmp, RunFilter.ALL, 64, observer, (i, total, run) -> events.add("measure " + run.getFileName()));
        assertEquals(List.of(), events);
    }

    @Test
    void slicesByLengthAddUpToTheSearchAndTheReportCountsWhatIsNotStarted() throws Exception {
        Tradeoff tiny = tiny(4, 20, 1, 32, 2); // search seed 2 draws two runs at each length
        long atThree = tiny.runs().values().stream().filter(c -> c.n() == 3).count();
        assertTrue(atThree > 0 && atThree < 4, "the draw puts runs at both lengths");
        List<String> events = new ArrayList<>();
        RunQueue.Observer observer = new TrainingEvents(events);
        TradeoffReport.Summary first = tiny.run(tmp, new RunFilter(null, null, Set.of(3)), 64, observer, (i, total, run) -> events.add("measure"));
        assertEquals(atThree, first.runs(), "the report covers the runs started so far");
        assertEquals(atThree, events.stream().filter(e -> e.equals("measure")).count());
        tiny.runs().forEach((name, c) -> assertEquals(c.n() == 3, Files.exists(tmp.resolve(name)), name));
        assertTrue(Files.readString(first.report()).contains((4 - atThree) + " of the search&#39;s 4 runs not started"));
        events.clear();
        TradeoffReport.Summary again = tiny.run(tmp, RunFilter.NONE, 64, observer, (i, total, run) -> events.add("measure"));
        assertEquals(List.of(), events, "a report alone trains and measures nothing");
        assertEquals(first.runs(), again.runs());
        TradeoffReport.Summary all = tiny.run(tmp, new RunFilter(null, null, Set.of(4)), 64, observer, (i, total, run) -> events.add("measure"));
        assertEquals(4, all.runs());
        assertEquals(4 - atThree, events.stream().filter(e -> e.equals("measure")).count(), "only the new slice is measured");
        assertFalse(Files.readString(all.report()).contains("not started"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tiny.run(tmp.resolve("b"), new RunFilter(Set.of("mean"), null, null), 64, observer, (i, total, run) -> { }));
        assertEquals("E2's search has no function mean (only first, parity)", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("b")));
    }

    /** A search of {@code runs} runs over FIRST and PARITY at n = 3, 4 (d 16, {@code steps} steps), measured on batches × batch inputs. */
    private static Tradeoff tiny(int runs, int steps, int batches, int batch, long searchSeed) {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 4, "d", 16, "batch", 32, "steps", steps, "maxLen", 8, "evalEvery", steps,
                "evalBatches", 1, "checkpointEvery", steps, "logEvery", 10));
        return new Tradeoff(List.of(new Tradeoff.Sweep("a", runs, List.of("first", "parity"), List.of(3, 4), 0, 9)),
                new Tradeoff.Range(1e-3, 3e-3), new Tradeoff.Range(0, 0.4), base, List.of(3, 4), batches, batch, searchSeed);
    }
}
