package org.biaslab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.biaslab.cli.Main;
import org.biaslab.io.Json;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepResults;
import org.biaslab.sweep.SweepSpec;
import org.biaslab.sweep.SweepStatus;
import org.biaslab.sweep.SweepWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep through Spark in local mode on the CPU trains every run once, to the same table as the core's local
 * sweep; a task that fails once succeeds on Spark's retry; a second start redoes nothing.
 */
class SparkSweepTest {
    @TempDir
    Path tmp;

    private static final Duration LEASE = Duration.ofSeconds(30);

    /** 3 seeds × parity and first at n = 4, 30 steps with a checkpoint every 10, measured: 3 groups of 2 with --ensemble 2. */
    private static final String SWEEP = """
            name: tiny
            method: grid
            parameters:
              task: {values: [parity, first]}
              seed: {values: [0, 1, 2]}
              n: {value: 4}
              d: {value: 8}
              layers: {value: 1}
              maxLen: {value: 8}
              batch: {value: 16}
              steps: {value: 30}
              logEvery: {value: 10}
              evalEvery: {value: 30}
              evalBatches: {value: 1}
              checkpointEvery: {value: 10}
            measure: {batches: 1, batch: 16}
            """;

    private Path yaml() throws Exception {
        Path f = tmp.resolve("tiny.yaml");
        if (!Files.exists(f)) Files.writeString(f, SWEEP);
        return f;
    }

    private SweepPlan plan(String name) throws Exception {
        return SweepPlan.create(tmp.resolve(name), SweepSpec.read(yaml()), 2);
    }

    /** results.csv of the sweep trained by the core's local worker, in one process. */
    private String localTable() throws Exception {
        SweepPlan local = plan("local");
        new SweepWorker(local, LEASE, line -> { }).runAll();
        return Files.readString(SweepResults.write(local).csv());
    }

    private static JavaSparkContext spark(String master) {
        return new JavaSparkContext(new SparkConf().setMaster(master).setAppName("SparkSweepTest").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    }

    private static GroupTask task(SweepPlan plan) {
        return new GroupTask(plan.dir().toString(), "cpu", LEASE, false);
    }

    @Test
    void aSweepThroughSparkTrainsEveryRunOnceAndItsTableEqualsTheLocalSweeps() throws Exception {
        SweepPlan plan = plan("spark");
        assertEquals(3, plan.groups().size());
        List<GroupTask.Result> results;
        try (JavaSparkContext sc = spark("local[2]")) {
            results = SparkSweep.run(sc, plan, task(plan));
        }
        assertEquals(List.of(0, 1, 2), results.stream().map(GroupTask.Result::group).toList(), "one task per group");
        Map<String, Integer> commits = new HashMap<>();
        for (GroupTask.Result r : results) {
            assertEquals(0, r.attempt());
            assertEquals(plan.groups().get(r.group()).stream().sorted().toList(), r.committed().stream().sorted().toList(), "a task commits its group's runs");
            r.committed().forEach(k -> commits.merge(k, 1, Integer::sum));
        }
        assertEquals(plan.runs().keySet(), commits.keySet());
        assertTrue(commits.values().stream().allMatch(n -> n == 1), commits.toString());
        assertEquals(new SweepStatus(6, 0, 0, 0), SweepStatus.of(plan));
        assertEquals(localTable(), Files.readString(SweepResults.write(plan).csv()), "bitwise the same numbers as the local sweep");
    }

    @Test
    void aTaskThatFailsHalfwayIsRetriedByTheSparkAndResumesToTheSameResults() throws Exception {
        SweepPlan plan = plan("retry");
        List<GroupTask.Result> results;
        System.setProperty(GroupTask.FAIL_ONCE, "1");
        try (JavaSparkContext sc = spark("local[2,2]")) { // local[N,F]: F attempts per task (local[N] makes one)
            results = SparkSweep.run(sc, plan, task(plan));
        } finally {
            System.clearProperty(GroupTask.FAIL_ONCE);
        }
        assertEquals(List.of(0, 1, 0), results.stream().map(GroupTask.Result::attempt).toList(), "group 1 succeeded on its second attempt");
        assertEquals(2, results.get(1).committed().size());
        for (String k : plan.groups().get(1)) { // the retry resumed from the step-10 checkpoint: each step is logged once
            List<Long> steps = new ArrayList<>();
            for (String line : Files.readAllLines(plan.runDir(k).resolve("metrics.jsonl"))) steps.add(Json.MAPPER.readTree(line).get("step").asLong());
            assertEquals(List.of(10L, 20L, 30L), steps, k);
        }
        assertEquals(new SweepStatus(6, 0, 0, 0), SweepStatus.of(plan));
        assertEquals(localTable(), Files.readString(SweepResults.write(plan).csv()));
    }

    @Test
    void aSweepWhoseTaskFailedWithoutRetriesEndsWhenStartedAgainAndAThirdStartRedoesNothing() throws Exception {
        Path dir = tmp.resolve("cli");
        String[] args = {yaml().toString(), "--dir", dir.toString(), "--master", "local[2]", "--ensemble", "2"};
        System.setProperty(GroupTask.FAIL_ONCE, "0");
        try {
            assertEquals(1, Main.commandLine(new SparkSweep()).execute(args), "local[2]: one attempt per task, the job fails");
        } finally {
            System.clearProperty(GroupTask.FAIL_ONCE);
        }
        SweepPlan plan = SweepPlan.load(dir);
        for (String k : plan.groups().get(0)) assertTrue(!Files.exists(plan.runDir(k).resolve(SweepStatus.DONE)), "group 0 failed halfway");
        assertEquals(0, Main.commandLine(new SparkSweep()).execute(args));
        assertEquals(new SweepStatus(6, 0, 0, 0), SweepStatus.of(plan));
        Map<String, FileTime> written = new HashMap<>();
        for (String k : plan.runs().keySet()) written.put(k, Files.getLastModifiedTime(plan.runDir(k).resolve(SweepStatus.DONE)));
        List<GroupTask.Result> again;
        try (JavaSparkContext sc = spark("local[2]")) {
            again = SparkSweep.run(sc, plan, task(plan));
        }
        assertTrue(again.stream().allMatch(r -> r.committed().isEmpty()), again.toString());
        for (String k : plan.runs().keySet()) assertEquals(written.get(k), Files.getLastModifiedTime(plan.runDir(k).resolve(SweepStatus.DONE)), "not redone");
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, SWEEP.replace("layers:", "layerz:"));
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new SparkSweep()).setErr(new PrintWriter(err, true)).execute(bad.toString(), "--dir", tmp.resolve("x").toString());
        assertEquals(2, code);
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().contains("parameters.layerz: not a run config field"), err.toString());
        assertTrue(!Files.exists(tmp.resolve("x")), "nothing written");
        err.getBuffer().setLength(0);
        code = Main.commandLine(new SparkSweep()).setErr(new PrintWriter(err, true)).execute(yaml().toString(), "--dir", tmp.resolve("y").toString(), "--master", "nowhere");
        assertEquals(2, code);
        assertEquals("sweep spark: Spark cannot start: Could not parse Master URL: 'nowhere'", err.toString().strip());
    }
}
