package org.biaslab.cli;

import static org.biaslab.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reproduce p3}: a missing corpus or an unknown part is one line, exit code 2, and nothing is written. */
class ReproduceP3Test {
    @TempDir
    Path tmp;

    @Test
    void aMissingCorpusIsOneLineWithTheFetchCommand() {
        String[] r = run("reproduce", "p3", "--quick", "--corpus", tmp.resolve("absent.txt").toString(), "--out", tmp.resolve("runs").toString());
        assertEquals("2", r[0]);
        assertEquals(1, r[1].lines().count(), r[1]);
        assertTrue(r[1].contains("absent.txt") && r[1].contains("apt-get download bible-kjv bible-kjv-text"), r[1]);
        assertFalse(Files.exists(tmp.resolve("runs")));
    }

    @Test
    void anUnknownPartIsNamed() {
        String[] r = run("reproduce", "p3", "--quick", "--experiments", "lm,e1", "--out", tmp.resolve("runs").toString());
        assertEquals("2", r[0]);
        assertTrue(r[1].endsWith("unknown experiment 'e1' (p3: lm, grid, pretrained, homogeneity)"), r[1]);
    }
}
