package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sweep slurm}: the job array script, and (where a Slurm controller answers, e.g. the single-node setup of
 * docs/sweeps.md) the sweep trained by real array tasks, and submitted again without redoing anything.
 */
class SweepSlurmTest {
    @TempDir
    Path tmp;

    @Test
    void theScriptIsAJobArrayOfOneTaskPerGroupWithAGpuEachAndRequeue() throws Exception {
        Path yaml = tmp.resolve("s.yaml");
        Files.writeString(yaml, SweepKillTest.SWEEP);
        String[] r = Cli.run("sweep", "slurm", yaml.toString(), "--dir", tmp.resolve("s").toString(), "--ensemble", "2", "--max-parallel", "8",
                "--sbatch-option", "--time=01:00:00");
        assertEquals("0", r[0], r[1]);
        String script = Files.readString(tmp.resolve("s/sweep.sbatch"));
        for (String line : List.of("#SBATCH --array=0-1%8", "#SBATCH --gres=gpu:1", "#SBATCH --requeue", "#SBATCH --time=01:00:00",
                "#SBATCH --output=" + tmp.resolve("s/logs").toAbsolutePath() + "/slurm-%A_%a.out")) {
            assertTrue(script.lines().anyMatch(line::equals), line + " in\n" + script);
        }
        assertTrue(script.contains(" sweep worker " + tmp.resolve("s").toAbsolutePath() + " --device cuda --index \"$SLURM_ARRAY_TASK_ID\"\n"), script);
        Process bash = new ProcessBuilder("bash", "-n", tmp.resolve("s/sweep.sbatch").toString()).inheritIO().start();
        assertEquals(0, bash.waitFor(), "bash parses the script");
    }

    @Test
    void aJobArrayOnARealSlurmTrainsTheSweepAndASecondSubmissionRedoesNothing() throws Exception {
        assumeTrue(answers("sinfo", "-h"), "no Slurm controller answers (sinfo); docs/sweeps.md says how to start a single-node one");
        Path yaml = tmp.resolve("s.yaml"), dir = tmp.resolve("s");
        String name = "slurm-test-" + ProcessHandle.current().pid();
        Files.writeString(yaml, SweepKillTest.SWEEP.replace("steps: {value: 300}", "steps: {value: 30}").replace("name: kill", "name: " + name));
        submit(yaml, dir);
        SweepPlan plan = SweepPlan.load(dir);
        waitFor(name);
        assertEquals(new SweepStatus(4, 0, 0, 0), SweepStatus.of(plan), String.join("\n", logs(dir)));
        Map<String, FileTime> done = new HashMap<>();
        for (String k : plan.runs().keySet()) done.put(k, Files.getLastModifiedTime(plan.runDir(k).resolve(SweepStatus.DONE)));
        submit(yaml, dir);
        waitFor(name);
        for (String k : plan.runs().keySet()) assertEquals(done.get(k), Files.getLastModifiedTime(plan.runDir(k).resolve(SweepStatus.DONE)));
    }

    private static void submit(Path yaml, Path dir) {
        String[] r = Cli.run("sweep", "slurm", yaml.toString(), "--dir", dir.toString(), "--ensemble", "2", "--gpus-per-task", "0", "--submit");
        assertEquals("0", r[0], r[1]);
    }

    /** Waits until Slurm has no job named {@code name} (the sweep's), at most three minutes. */
    private static void waitFor(String name) throws Exception {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        Thread.sleep(1000);
        while (System.nanoTime() < end) {
            Process p = new ProcessBuilder("squeue", "-h", "-n", name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            if (out.isEmpty()) return;
            Thread.sleep(500);
        }
        throw new AssertionError("the job array did not end in three minutes");
    }

    private static List<String> logs(Path dir) throws Exception {
        try (var files = Files.list(dir.resolve("logs"))) {
            return files.map(f -> {
                try {
                    return f + ":\n" + Files.readString(f);
                } catch (java.io.IOException e) {
                    return f + ": " + e;
                }
            }).toList();
        }
    }

    private static boolean answers(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
