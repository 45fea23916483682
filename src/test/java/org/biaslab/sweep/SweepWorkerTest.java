package org.biaslab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers settle every run of a sweep once, share a sweep without training a run twice, and skip done runs. */
class SweepWorkerTest {
    @TempDir
    Path tmp;

    private static final Duration LEASE = Duration.ofSeconds(30);

    /** Collects the "done" lines of workers: each run must be committed once. */
    private static SweepWorker.Log log(List<String> lines) {
        return lines::add;
    }

    @Test
    void twoWorkersOnOneSweepTrainEachRunOnceAndTheTableEqualsOneWorkers() throws Exception {
        String yaml = TinySweep.yaml("two", 3, 20);
        SweepSpec spec = SweepSpec.read(TinySweep.write(tmp, yaml));
        SweepPlan alone = SweepPlan.create(tmp.resolve("alone"), spec, 2), shared = SweepPlan.create(tmp.resolve("shared"), spec, 2);
        assertEquals(3, alone.groups().size());
        new SweepWorker(alone, LEASE, line -> { }).runAll();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 2; w++) fs.add(pool.submit(() -> {
                new SweepWorker(shared, LEASE, log(lines)).runAll();
                return null;
            }));
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
        Map<String, Integer> commits = new HashMap<>();
        for (String l : lines) if (l.endsWith(": done")) commits.merge(l, 1, Integer::sum);
        assertEquals(6, commits.size());
        assertTrue(commits.values().stream().allMatch(n -> n == 1), commits.toString());
        assertEquals(new SweepStatus(6, 0, 0, 0), SweepStatus.of(shared));
        SweepResults.write(alone);
        SweepResults.write(shared);
        String table = Files.readString(tmp.resolve("alone/results.csv"));
        assertEquals(table, Files.readString(tmp.resolve("shared/results.csv")), "bitwise the same numbers");
        assertEquals(7, table.lines().count());
        assertTrue(table.lines().findFirst().orElseThrow().contains(",eval/loss,eval/accuracy,param_norm,converged,measure/"), table);
    }

    @Test
    void aSecondStartRedoesNothingAndAGroupWorkedThroughAloneSettlesOnlyItself() throws Exception {
        SweepPlan plan = SweepPlan.create(tmp.resolve("s"), SweepSpec.read(TinySweep.write(tmp, TinySweep.yaml("again", 2, 10))), 2);
        List<String> lines = new ArrayList<>();
        new SweepWorker(plan, LEASE, log(lines)).runGroup(1);
        assertEquals(new SweepStatus(2, 0, 0, 2), SweepStatus.of(plan));
        new SweepWorker(plan, LEASE, log(lines)).runAll();
        Map<String, FileTime> written = new HashMap<>();
        for (String k : plan.runs().keySet()) written.put(k, Files.getLastModifiedTime(plan.runDir(k).resolve(SweepStatus.DONE)));
        lines.clear();
        new SweepWorker(plan, LEASE, log(lines)).runAll();
        assertEquals(List.of(), lines);
        for (String k : plan.runs().keySet()) assertEquals(written.get(k), Files.getLastModifiedTime(plan.runDir(k).resolve(SweepStatus.DONE)));
    }

    @Test
    void aRunThatDivergesFailsAloneAndIsNotRetried() throws IOException, InterruptedException {
        String yaml = TinySweep.yaml("nan", 1, 10).replace("seed: {values: [0]}", "seed: {values: [0]}\n  lr: {values: [1.0e-3, 1.0e+39]}");
        SweepPlan plan = SweepPlan.create(tmp.resolve("s"), SweepSpec.read(TinySweep.write(tmp, yaml)), 8);
        assertEquals(1, plan.groups().size(), "learning rates differ within an ensemble");
        new SweepWorker(plan, LEASE, line -> { }).runAll();
        assertEquals(new SweepStatus(2, 2, 0, 0), SweepStatus.of(plan));
        for (var e : plan.runs().entrySet()) {
            boolean huge = e.getValue().lr() > 1;
            assertEquals(huge, Files.exists(plan.runDir(e.getKey()).resolve(SweepStatus.FAILED)), e.getValue().toString());
        }
        SweepResults.Written w = SweepResults.write(plan);
        assertEquals(2, w.rows());
    }
}
