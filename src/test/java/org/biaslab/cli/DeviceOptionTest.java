package org.biaslab.cli;

import static org.biaslab.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.tensor.cuda.Cuda;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --device}: an unknown device, or CUDA on a machine without one, ends in one line before anything is written. */
class DeviceOptionTest {
    @TempDir
    Path tmp;

    @Test
    void unknownDeviceIsOneLine() {
        String[] r = run("train", "--device", "tpu", "--steps", "1", "--out", tmp.toString());
        assertEquals("2", r[0]);
        assertEquals("biaslab train: unknown device 'tpu' (cpu, cuda)", r[1].strip());
    }

    @Test
    void graphsNeedTheGpu() {
        String[] r = run("train", "--graph", "--steps", "1", "--out", tmp.resolve("runs").toString());
        assertEquals("2", r[0]);
        assertEquals("biaslab train: --graph needs --device cuda (CUDA graphs)", r[1].strip());
        assertFalse(Files.exists(tmp.resolve("runs")), "nothing is written");
        // graphs are the GPU's default, which the CPU ignores; --no-graph is accepted anywhere
        for (String graph : new String[] {"--no-graph", null}) {
            String[] ok = graph == null ? run("train", "--steps", "1", "--out", tmp.resolve("cpu").toString())
                    : run("train", graph, "--steps", "1", "--out", tmp.resolve("cpu-no-graph").toString());
            assertEquals("0", ok[0], ok[1]);
        }
    }

    @Test
    void cudaWithoutAGpuSaysWhatIsMissing() throws Exception {
        Assumptions.assumeFalse(Cuda.available(), "this machine has a GPU");
        String[] r = run("train", "--device", "cuda", "--steps", "1", "--out", tmp.resolve("runs").toString());
        assertEquals("2", r[0]);
        assertEquals(1, r[1].strip().lines().count(), r[1]);
        assertTrue(r[1].contains("CUDA") || r[1].contains("driver"), r[1]);
        assertFalse(Files.exists(tmp.resolve("runs")), "nothing is written");
    }
}
