package org.biaslab.experiment.p3;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.train.RunDir;

/** The parts' results as JSON files (records; NaN, for a diverged cell, kept as NaN). */
final class ResultFiles {
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private ResultFiles() {}

    static void write(Path file, Object result) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), result);
    }

    /** Writes {@code result} atomically and durably (a kill leaves the old file or the new one). */
    static void writeAtomically(Path file, Object result) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        RunDir.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
    }

    /** The result in {@code file}, or null when there is none. */
    static <T> T read(Path file, Class<T> type) throws IOException {
        return Files.exists(file) ? JSON.readValue(file.toFile(), type) : null;
    }
}
