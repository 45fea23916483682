package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepStatus;
import org.biaslab.tensor.cuda.Cuda;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep commands as a user runs them: worker processes, and bad input in one line with exit code 2. */
class SweepCommandTest {
    @TempDir
    Path tmp;

    @Test
    void twoCpuWorkerProcessesSettleTheSweepAndLogToItsDirectory() throws Exception {
        Path yaml = tmp.resolve("s.yaml"), dir = tmp.resolve("s");
        Files.writeString(yaml, SweepKillTest.SWEEP.replace("steps: {value: 300}", "steps: {value: 20}"));
        String[] r = Cli.run("sweep", "run", yaml.toString(), "--dir", dir.toString(), "--devices", "cpu", "--workers", "2", "--ensemble", "2");
        assertEquals("0", r[0], r[1]);
        assertEquals(new SweepStatus(4, 0, 0, 0), SweepStatus.of(SweepPlan.load(dir)));
        assertTrue(Files.readString(dir.resolve("logs/worker-cpu-0.log")).contains("done, 0 failed, 0 running, 0 to do"));
        assertTrue(Files.exists(dir.resolve("logs/worker-cpu-1.log")));
    }

    @Test
    void badInputIsOneLineWithExitCode2() throws Exception {
        Path yaml = tmp.resolve("s.yaml"), other = tmp.resolve("o.yaml"), dir = tmp.resolve("s");
        Files.writeString(yaml, "name: s\nmethod: grid\nparameters:\n  nn: {values: [4]}\n");
        String[] r = Cli.run("sweep", "run", yaml.toString(), "--dir", dir.toString());
        assertEquals("2", r[0]);
        assertTrue(r[1].startsWith("biaslab sweep run: " + yaml + ": parameters.nn: not a run config field (valid: task, n,"), r[1]);
        assertTrue(Files.notExists(dir), "nothing is written");
        assertArrayEquals(new String[] {"2", "biaslab sweep status: " + tmp + " is not a sweep directory (no sweep.json)"},
                Cli.run("sweep", "status", tmp.toString()));
        Files.writeString(yaml, SweepKillTest.SWEEP);
        Files.writeString(other, SweepKillTest.SWEEP.replace("seed: {values: [0, 1]}", "seed: {values: [0, 2]}"));
        assertArrayEquals(new String[] {"2", "biaslab sweep run: --devices: GPU 99 is not one of the " + Cuda.deviceCount() + " this host has"},
                Cli.run("sweep", "run", yaml.toString(), "--dir", dir.toString(), "--devices", "99"));
        assertEquals("0", Cli.run("sweep", "slurm", yaml.toString(), "--dir", dir.toString())[0]);
        assertArrayEquals(new String[] {"2", "biaslab sweep run: " + dir + " holds sweep 'kill' planned from another spec or ensemble size (64); choose another --dir"},
                Cli.run("sweep", "run", other.toString(), "--dir", dir.toString()));
    }
}
