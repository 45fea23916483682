package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.biaslab.io.Json;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepStatus;
import org.biaslab.train.RunDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #19's acceptance: kill -9 a worker mid-run, start the sweep again, and nothing is lost, redone or different. */
class SweepKillTest {
    @TempDir
    Path tmp;

    static final String SWEEP = """
            name: kill
            method: grid
            parameters:
              task: {values: [parity, first]}
              seed: {values: [0, 1]}
              n: {value: 4}
              d: {value: 8}
              layers: {value: 1}
              maxLen: {value: 8}
              batch: {value: 16}
              steps: {value: 300}
              logEvery: {value: 10}
              evalEvery: {value: 300}
              evalBatches: {value: 1}
              checkpointEvery: {value: 10}
            measure: {batches: 1, batch: 16}
            """;

    @Test
    void aWorkerKilledMidRunLosesNothingAndTheSweepEndsAsAnUninterruptedOne() throws Exception {
        Path yaml = tmp.resolve("kill.yaml"), killed = tmp.resolve("killed"), whole = tmp.resolve("whole");
        Files.writeString(yaml, SWEEP);
        assertEquals("0", Cli.run("sweep", "run", yaml.toString(), "--dir", whole.toString(), "--devices", "cpu", "--ensemble", "2")[0]);
        assertEquals("0", Cli.run("sweep", "collect", whole.toString())[0]);

        assertEquals("0", Cli.run("sweep", "slurm", yaml.toString(), "--dir", killed.toString(), "--ensemble", "2")[0]); // plans only
        SweepPlan plan = SweepPlan.load(killed);
        assertEquals(2, plan.groups().size());
        Process worker = new ProcessBuilder(WorkerProcess.command(killed, null, List.of("--lease", "2")))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("worker.log").toFile()).start();
        while (worker.isAlive() && !midRun(plan)) Thread.sleep(5);
        worker.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no claim released
        SweepStatus atKill = SweepStatus.of(plan);
        assertTrue(atKill.done() < 4, "killed before the end: " + atKill.line() + "\n" + Files.readString(tmp.resolve("worker.log")));
        assertTrue(Files.exists(killed.resolve("claims/group-0.json")), "the dead worker's claim is left behind");
        Map<String, FileTime> doneBefore = new HashMap<>();
        Map<String, List<String>> loggedBefore = new HashMap<>(); // up to the newest checkpoint: kept as they are when the run resumes
        for (String k : plan.runs().keySet()) {
            Path done = plan.runDir(k).resolve(SweepStatus.DONE);
            if (Files.exists(done)) doneBefore.put(k, Files.getLastModifiedTime(done));
            else if (Files.isDirectory(plan.runDir(k)) && new RunDir(plan.runDir(k)).latestStep() > 0) {
                long step = new RunDir(plan.runDir(k)).latestStep();
                List<String> lines = new ArrayList<>();
                for (String l : Files.readAllLines(plan.runDir(k).resolve("metrics.jsonl"))) {
                    if (Json.MAPPER.readTree(l).get("step").asLong() <= step) lines.add(l);
                }
                loggedBefore.put(k, lines);
            }
        }
        assertTrue(!loggedBefore.isEmpty(), "a run was interrupted after a checkpoint");

        assertArrayEquals(new String[] {"0", ""}, Cli.run("sweep", "worker", killed.toString(), "--lease", "2"));
        assertEquals(new SweepStatus(4, 0, 0, 0), SweepStatus.of(plan));
        for (var e : doneBefore.entrySet()) {
            assertEquals(e.getValue(), Files.getLastModifiedTime(plan.runDir(e.getKey()).resolve(SweepStatus.DONE)), "not redone");
        }
        for (var e : loggedBefore.entrySet()) { // its steps/s too: the run resumed from its checkpoint, not from step 0
            List<String> now = Files.readAllLines(plan.runDir(e.getKey()).resolve("metrics.jsonl"));
            assertEquals(e.getValue(), now.subList(0, e.getValue().size()));
        }
        for (String k : plan.runs().keySet()) {
            long last = 0;
            for (String line : Files.readAllLines(plan.runDir(k).resolve("metrics.jsonl"))) {
                long step = Json.MAPPER.readTree(line).get("step").asLong();
                assertTrue(step > last, k + ": step " + step + " logged once, in order");
                last = step;
            }
            assertEquals(300, last);
        }
        assertEquals("0", Cli.run("sweep", "collect", killed.toString())[0]);
        assertEquals(Files.readString(whole.resolve("results.csv")), Files.readString(killed.resolve("results.csv")));
        assertEquals(Files.readString(whole.resolve("results.jsonl")), Files.readString(killed.resolve("results.jsonl")));
    }

    /** Whether some run has a checkpoint past step 20 and not every run is done. */
    private static boolean midRun(SweepPlan plan) throws Exception {
        for (String k : plan.runs().keySet()) {
            Path d = plan.runDir(k);
            if (!Files.isDirectory(d) || Files.exists(d.resolve(SweepStatus.DONE))) continue;
            try (Stream<Path> files = Files.list(d)) {
                if (files.anyMatch(p -> p.getFileName().toString().compareTo("ckpt-000000020") >= 0 && p.getFileName().toString().startsWith("ckpt-"))) return true;
            }
        }
        return false;
    }
}
