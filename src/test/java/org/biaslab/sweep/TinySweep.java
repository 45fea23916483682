package org.biaslab.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A sweep of tiny P1 runs that trains in seconds on the CPU, for the sweep tests. */
final class TinySweep {
    private TinySweep() {}

    /** {@code seeds} seeds × parity and first at n = 4, {@code steps} steps with a checkpoint every 10, measured at the end. */
    static String yaml(String name, int seeds, int steps) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < seeds; i++) s.append(i == 0 ? "" : ", ").append(i);
        return """
                name: %s
                method: grid
                parameters:
                  task: {values: [parity, first]}
                  seed: {values: [%s]}
                  n: {value: 4}
                  d: {value: 8}
                  layers: {value: 1}
                  maxLen: {value: 8}
                  batch: {value: 16}
                  steps: {value: %d}
                  logEvery: {value: 10}
                  evalEvery: {value: %d}
                  evalBatches: {value: 1}
                  checkpointEvery: {value: 10}
                measure: {batches: 1, batch: 16}
                """.formatted(name, s, steps, steps);
    }

    static Path write(Path dir, String yaml) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("sweep.yaml");
        Files.writeString(f, yaml);
        return f;
    }
}
