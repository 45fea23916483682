package org.biaslab.cli;

import static org.biaslab.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reproduce p1}: a slice that names what the grids lack ends in one line, exit code 2, before anything is written. */
class ReproduceP1Test {
    @TempDir
    Path tmp;

    private String[] reproduce(String... options) {
        String[] args = new String[options.length + 5];
        args[0] = "reproduce";
        args[1] = "p1";
        args[2] = "--quick";
        args[3] = "--out";
        args[4] = tmp.resolve("runs").toString();
        System.arraycopy(options, 0, args, 5, options.length);
        return run(args);
    }

    @Test
    void anUnknownSweepOfE1IsRefused() {
        String[] r = reproduce("--experiments", "e1-medium");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("unknown experiment 'e1-medium' (p1: e1, e1-short, e1-long, e2, e3, e4, e5)"), r[1]);
        assertFalse(Files.exists(tmp.resolve("runs")));
    }

    @Test
    void functionsSeedsAndLengthsSelectE1sRunsOnly() {
        String[] r = reproduce("--experiments", "e2", "--functions", "parity");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("--functions, --seeds, --lengths and --report-only apply to p1's e1 only; add e1 to --experiments"), r[1]);
        r = reproduce("--experiments", "e1-long", "--functions", "parity");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("E1's sweeps chosen have no function parity (they have majority, first, mean)"), r[1]);
        r = reproduce("--experiments", "e1-long", "--lengths", "30");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("E1's sweeps chosen have no length 30 (they have 4, 16, 32)"), r[1]);
        assertFalse(Files.exists(tmp.resolve("runs")));
    }
}
