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
    void functionsSeedsAndLengthsSliceE1ToE5AndAreCheckedBeforeAnythingRuns() {
        refused("E5 has no function parity (only random:0, random:1, random:2, random:3)", "--experiments", "e5", "--functions", "parity");
        refused("--steps applies to p1's e3 only; add e3 to --experiments", "--experiments", "e1-long", "--steps", "1000");
        refused("E3 has no sweep of 20000 steps (only 1000)", "--experiments", "e3", "--steps", "20000");
        refused("--report-only trains nothing, and its reports cover every run there: drop --functions, --seeds, --lengths and --steps",
                "--experiments", "e2", "--report-only", "--lengths", "4");
        refused("E1's sweeps chosen have no function parity (only first, majority, mean)", "--experiments", "e1-long", "--functions", "parity");
        refused("E1's sweeps chosen have no length 30 (only 4, 16, 32)", "--experiments", "e1-long", "--lengths", "30");
        // E1's long sweep has n = 16, E2's quick search does not: refused before E1 trains
        refused("E2's search has no length 16 (only 4, 6)", "--experiments", "e1-long,e2", "--lengths", "16");
        refused("E4 has no seed 7 (only 0, 1)", "--experiments", "e4", "--seeds", "7");
        refused("--graph needs --device cuda (CUDA graphs)", "--experiments", "e4", "--graph");
        assertFalse(Files.exists(tmp.resolve("runs")));
    }

    /** Runs reproduce p1 --quick with {@code options} and expects exit 2 with a message ending in {@code message}. */
    private void refused(String message, String... options) {
        String[] r = reproduce(options);
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith(message), r[1]);
    }
}
