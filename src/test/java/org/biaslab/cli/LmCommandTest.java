package org.biaslab.cli;

import static org.biaslab.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lm train} and {@code lm grid}: bad input is one line with exit code 2; a tiny run writes its directory. */
class LmCommandTest {
    @TempDir
    Path tmp;

    private Path corpus() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) lines.add("the " + (i % 3 == 0 ? "lord" : "king") + " said unto them , go in peace .");
        return Files.write(tmp.resolve("c.txt"), lines);
    }

    @Test
    void badInputIsOneLine() throws Exception {
        String[] missing = run("lm", "train", "--corpus", tmp.resolve("absent.txt").toString(), "--out", tmp.resolve("r").toString());
        assertEquals("2", missing[0]);
        assertEquals(1, missing[1].strip().lines().count(), missing[1]);
        assertTrue(missing[1].contains("absent.txt"), missing[1]);
        String[] variant = run("lm", "train", "--corpus", corpus().toString(), "--variant", "vaswani", "--out", tmp.resolve("r").toString());
        assertEquals("2", variant[0]);
        assertEquals("biaslab lm train: unknown LM variant 'vaswani' (control, pre_norm, pre_ln)", variant[1].strip());
    }

    @Test
    void aTinyRunWritesItsDirectory() throws Exception {
        Path out = tmp.resolve("run");
        String[] r = run("lm", "train", "--corpus", corpus().toString(), "--d", "16", "--ffn", "16", "--layers", "1", "--epochs", "1",
                "--out", out.toString());
        assertEquals("0", r[0], r[1]);
        for (String f : List.of("config.json", "vocab.json", "metrics.jsonl", "summary.json", "ckpt-000000002/model.safetensors")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
    }
}
