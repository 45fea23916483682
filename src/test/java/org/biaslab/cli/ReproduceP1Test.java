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
    void functionsSeedsAndLengthsSliceE1E2AndE4AndAreCheckedBeforeAnythingRuns() {
        String[] r = reproduce("--experiments", "e1-long,e3", "--functions", "parity");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("--functions, --seeds and --lengths apply to p1's e1, e2 and e4, not to e3"), r[1]);
        r = reproduce("--experiments", "e2", "--report-only");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("--report-only applies to p1's e1 only; add e1 to --experiments"), r[1]);
        r = reproduce("--experiments", "e1-long", "--functions", "parity");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("E1's sweeps chosen have no function parity (only first, majority, mean)"), r[1]);
        r = reproduce("--experiments", "e1-long", "--lengths", "30");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("E1's sweeps chosen have no length 30 (only 4, 16, 32)"), r[1]);
        // E1's long sweep has n = 16, E2's quick search does not: refused before E1 trains
        r = reproduce("--experiments", "e1-long,e2", "--lengths", "16");
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("E2's search has no length 16 (only 4, 6)"), r[1]);
        r = reproduce("--experiments", "e4", "--seeds", "7");
        assertEquals("2", r[0]);
        assertTrue(r[1].contains("E4 has no seed 7 (only 0, 1"), r[1]);
        assertFalse(Files.exists(tmp.resolve("runs")));
    }
}
