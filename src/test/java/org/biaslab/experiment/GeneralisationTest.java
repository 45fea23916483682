package org.biaslab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneralisationTest {
    @TempDir
    Path tmp;

    @Test
    void runsOnRestrictedSetsAreComparedWithRandomCompletionsAndReported() throws Exception {
        RunConfig base = RunConfig.defaults().with(Map.of("n", 6, "d", 16, "batch", 32, "lr", 3e-3, "steps", 150, "maxLen", 8,
                "evalEvery", 150, "evalBatches", 1, "checkpointEvery", 150, "logEvery", 50));
        Generalisation e5 = new Generalisation(6, 16, List.of(7L), List.of(0L, 1L), base, 4);
        assertEquals(2, e5.runs().size());
        for (RunConfig c : e5.runs()) assertEquals(16, c.restrictedSize());
        RunQueue.Observer quiet = new RunQueue.Observer() {
            @Override
            public Trainer.Listener starting(List<Trainer.Run> group, long from) {
                return null;
            }

            @Override
            public void finished(List<Trainer.Run> group) {
            }
        };
        List<Generalisation.Outcome> out = e5.run(tmp, 8, quiet);
        assertEquals(2, out.size());
        for (Generalisation.Outcome o : out) {
            assertTrue(o.learned() >= 0 && o.learned() <= 6, o.toString());
            // 16 of 64 inputs fixed by the target, 48 random: a completion is close to a random function's n/2
            assertTrue(o.completions() > 2 && o.completions() < 4, o.toString());
        }
        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.contains("random completion") && html.contains("data:image/png;base64,"));
    }
}
