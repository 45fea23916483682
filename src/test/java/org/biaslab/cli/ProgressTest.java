package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Progress in a log (stderr not a terminal): a line a minute while the work lasts, and its final state. */
class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private long now = 1_000;

    private List<String> lines() {
        String s = bytes.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    @Test
    void workWithinTheFirstMinuteLeavesOnlyTheFinalLine() {
        Progress.LogLines log = new Progress.LogLines(out, 60_000, () -> now);
        log.accept("train 0%");
        now += 30_000;
        log.accept("train 50% ");
        now += 29_999;
        log.accept("train 100%");
        assertEquals(List.of(), lines());
        log.close();
        assertEquals(List.of("train 100%"), lines());
    }

    @Test
    void longWorkWritesALineAMinuteThenItsFinalState() {
        Progress.LogLines log = new Progress.LogLines(out, 60_000, () -> now);
        for (int second = 1; second <= 150; second++) {
            now += 1_000;
            log.accept("train " + second);
        }
        log.close();
        assertEquals(List.of("train 60", "train 120", "train 150"), lines());
    }

    @Test
    void aBarClosedBeforeItsFirstRenderingPrintsNothing() {
        new Progress.LogLines(out, 60_000, () -> now).close();
        assertEquals(List.of(), lines());
    }

    @Test
    void aFinalStateAlreadyPrintedIsNotPrintedAgain() {
        Progress.LogLines log = new Progress.LogLines(out, 60_000, () -> now);
        now += 60_000;
        log.accept("train 100%");
        log.close();
        assertEquals(List.of("train 100%"), lines());
    }
}
