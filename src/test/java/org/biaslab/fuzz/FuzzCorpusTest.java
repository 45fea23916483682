package org.biaslab.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.biaslab.fuzz.Outcomes.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed fuzz corpus is what {@link FuzzCorpus} generates (rewrite it with
 * {@code -Dbiaslab.fuzz.writeCorpus=true}); its seeds load, so mutations start from valid files; and its reproducers
 * are refused, each with a one-line error naming the file.
 */
class FuzzCorpusTest {
    @TempDir
    Path dir;

    @Test
    void theCommittedCorpusHoldsTheGeneratedFiles() throws IOException {
        boolean write = Boolean.getBoolean("biaslab.fuzz.writeCorpus");
        for (Loader loader : Loader.values()) {
            for (var e : FuzzCorpus.files(loader).entrySet()) {
                Path file = FuzzCorpus.folder(loader).resolve(e.getKey());
                if (write) Files.write(Files.createDirectories(file.getParent()).resolve(e.getKey()), e.getValue());
                assertArrayEquals(e.getValue(), Files.readAllBytes(file), file + " is not what FuzzCorpus generates");
            }
        }
    }

    @Test
    void seedsLoadAndReproducersAreRefusedInOneLine() throws Exception {
        for (Loader loader : Loader.values()) {
            for (var e : FuzzCorpus.files(loader).entrySet()) {
                List<Outcome> outcomes = loader.load(e.getValue(), dir);
                String what = loader.test() + "/" + e.getKey() + ": " + outcomes;
                if (e.getKey().startsWith("seed-")) assertTrue(outcomes.contains(Outcome.LOADED), what);
                else assertFalse(outcomes.contains(Outcome.LOADED), what);
            }
        }
    }
}
