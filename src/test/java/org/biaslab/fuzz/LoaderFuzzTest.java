package org.biaslab.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of every loader (Jazzer): each input must load or be refused with a one-line error naming the file
 * ({@link Outcomes}), within 10 s. A normal test run replays the corpus in
 * {@code src/test/resources/org/biaslab/fuzz/LoaderFuzzTestInputs/<test>/}: the seeds (small valid files,
 * {@link FuzzCorpus}) and the reproducers of every defect found. A campaign mutates them (docs/reliability.md):
 * {@code JAZZER_FUZZ=1 mvn test -Dtest='LoaderFuzzTest#onnx' -Djazzer.max_executions=100000} ({@code .ci/fuzz}), with no
 * limit on its duration unless {@code -Djazzer.max_duration} sets one.
 */
class LoaderFuzzTest {
    private static final Path DIR = scratch();

    private static Path scratch() {
        try {
            return Files.createTempDirectory("biaslab-fuzz");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void safetensors(byte[] input) throws Exception {
        Loader.SAFETENSORS.load(input, DIR);
    }

    @FuzzTest(maxDuration = "")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void onnx(byte[] input) throws Exception {
        Loader.ONNX.load(input, DIR);
    }

    @FuzzTest(maxDuration = "")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void huggingFace(byte[] input) throws Exception {
        Loader.HUGGING_FACE.load(input, DIR);
    }

    @FuzzTest(maxDuration = "")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void tfCheckpoint(byte[] input) throws Exception {
        Loader.TF_CHECKPOINT.load(input, DIR);
    }

    @FuzzTest(maxDuration = "")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void idx(byte[] input) throws Exception {
        Loader.IDX.load(input, DIR);
    }

    @FuzzTest(maxDuration = "")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void corpus(byte[] input) throws Exception {
        Loader.CORPUS.load(input, DIR);
    }

    @FuzzTest(maxDuration = "")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void truthTable(byte[] input) throws Exception {
        Loader.TRUTH_TABLE.load(input, DIR);
    }

    @FuzzTest(maxDuration = "")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void runConfig(byte[] input) throws Exception {
        Loader.RUN_CONFIG.load(input, DIR);
    }

    /** The outcome counts and slowest calls, appended to {@code target/fuzz-outcomes.txt} for the campaign's record; the scratch removed. */
    @AfterAll
    static void summary() throws IOException {
        Files.writeString(Path.of("target", "fuzz-outcomes.txt"), Outcomes.summary(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        try (var files = Files.walk(DIR)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
