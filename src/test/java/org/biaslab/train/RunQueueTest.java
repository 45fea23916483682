package org.biaslab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunQueueTest {
    @TempDir
    Path tmp;

    @Test
    void compatibleRunsShareEnsemblesUpToTheLimitAndOthersGetTheirOwn() throws Exception {
        RunConfig base = TrainerTest.small("parity", 0, 10);
        List<RunConfig> configs = List.of(base, base.with(Map.of("seed", 1L)), base.with(Map.of("task", "majority")),
                base.with(Map.of("n", 6)), base.with(Map.of("seed", 2L, "lr", 1e-3)));
        List<Trainer.Run> runs = RunQueue.prepare(tmp, configs);
        List<List<Trainer.Run>> groups = RunQueue.groups(runs, 3);
        // [parity s0, parity s1, majority] (full at 3), [n = 6], [parity s2 with its own lr]
        assertEquals(List.of(3, 1, 1), groups.stream().map(List::size).toList());
        assertEquals(6, groups.get(1).get(0).config().n());
        assertEquals(1e-3, groups.get(2).get(0).config().lr());
    }

    @Test
    void finishedRunsAreSkippedAndRunsAtDifferentStepsAreNotMixed() throws Exception {
        RunConfig a = TrainerTest.small("parity", 0, 10), b = a.with(Map.of("seed", 1L)), c = a.with(Map.of("seed", 2L));
        List<Trainer.Run> runs = RunQueue.prepare(tmp, List.of(a, b, c));
        new Trainer(List.of(runs.get(0)), null).run(); // a finished
        RuntimeException stop = new RuntimeException("stop");
        try {
            new Trainer(List.of(runs.get(1)), (step, total, loss, rate) -> {
                if (step == 5) throw stop; // b is killed before its first checkpoint (step 10)
            }).run();
        } catch (RuntimeException e) {
            assertEquals(stop, e);
        }
        List<List<Trainer.Run>> groups = RunQueue.groups(runs, 8);
        assertEquals(1, groups.size());
        assertEquals(List.of(runs.get(1), runs.get(2)), groups.get(0)); // b and c, both at step 0; a is done
    }
}
