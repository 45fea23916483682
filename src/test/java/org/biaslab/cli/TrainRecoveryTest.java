package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code biaslab train} tells a user about a damaged or diverged run (issue #17, items 9–15). */
class TrainRecoveryTest {
    @TempDir
    Path tmp;

    private String[] train(String... more) {
        String[] base = {"train", "--task", "parity", "--n", "5", "--d", "16", "--batch", "64", "--log-every", "5",
                "--eval-every", "10", "--eval-batches", "2", "--out", tmp.toString()};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return Cli.run(args);
    }

    @Test
    void aHugeLearningRateStopsWithExitCode3AndNamesNoCheckpointThatDoesNotExist() {
        Path run = tmp.resolve("parity-n5-s0");
        for (int attempt = 0; attempt < 2; attempt++) { // the second start does not resume from a NaN checkpoint
            String[] r = train("--steps", "20", "--lr", "1e39", "--checkpoint-every", "1");
            assertArrayEquals(new String[] {"3", "train: " + run + ": parameter 'embedding.weight' holds -Infinity after step 1, so"
                    + " ckpt-000000001 is not written; no checkpoint was kept, so the run starts again from step 0"}, r);
            assertFalse(Files.exists(run.resolve("ckpt-000000001")));
        }
    }

    @Test
    void aDamagedFinalCheckpointIsNamedAndTheRunIsRecomputedFromThePreviousOne() throws Exception {
        assertEquals("0", train("--steps", "20", "--checkpoint-every", "10")[0]);
        Path run = tmp.resolve("parity-n5-s0"), model = run.resolve("ckpt-000000020/model.safetensors");
        byte[] before = Files.readAllBytes(model), damaged = before.clone();
        damaged[damaged.length - 1] ^= 1;
        Files.write(model, damaged);
        String[] r = train("--steps", "20", "--checkpoint-every", "10");
        assertArrayEquals(new String[] {"0", model + ": SHA-256 does not match the one in manifest.json: the file or the manifest was damaged after writing"
                + "; resuming from ckpt-000000010"}, r);
        assertArrayEquals(before, Files.readAllBytes(model), "recomputed bitwise");
    }

    @Test
    void aPermissionErrorSaysPermissionDeniedWithThePath() {
        Path latest = tmp.resolve("runs/x/latest");
        assertEquals(latest + ": permission denied", ErrorMessage.of(new AccessDeniedException(latest.toString())));
        assertEquals(latest + ": permission denied", ErrorMessage.of(new UncheckedIOException(new AccessDeniedException(latest.toString()))));
        assertEquals("a: b", ErrorMessage.of(new IllegalArgumentException("a: b")));
    }
}
