package org.biaslab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.train.RunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sweep.json: the runs, their keys and their ensembles, fixed when the sweep first starts. */
class SweepPlanTest {
    @TempDir
    Path tmp;

    @Test
    void aPlanReadsBackAsWrittenAndGroupsCompatibleRunsUpToTheEnsembleSize() throws IOException {
        SweepSpec spec = SweepSpec.read(TinySweep.write(tmp, TinySweep.yaml("t", 3, 20).replace("n: {value: 4}", "n: {values: [4, 5]}")));
        SweepPlan plan = SweepPlan.create(tmp.resolve("s"), spec, 4);
        assertEquals(12, plan.runs().size());
        assertEquals(List.of(4, 4, 2, 2), plan.groups().stream().map(List::size).toList(), "n = 4 and n = 5 never share an ensemble");
        for (List<String> g : plan.groups()) {
            RunConfig first = plan.runs().get(g.getFirst());
            for (String k : g) assertTrue(first.ensembleCompatible(plan.runs().get(k)));
        }
        List<String> all = new ArrayList<>();
        plan.groups().forEach(all::addAll);
        assertEquals(new ArrayList<>(plan.runs().keySet()).stream().sorted().toList(), all.stream().sorted().toList());
        plan.runs().forEach((k, c) -> assertEquals(RunKey.of(c), k));
        SweepPlan loaded = SweepPlan.load(tmp.resolve("s"));
        assertEquals(plan.runs(), loaded.runs());
        assertEquals(plan.groups(), loaded.groups());
        assertEquals(plan.groups(), SweepPlan.create(tmp.resolve("s"), spec, 4).groups(), "starting again keeps the plan");
    }

    @Test
    void anotherSpecOrEnsembleSizeInTheSameDirectoryIsRefusedAndNothingIsLost() throws IOException {
        Path dir = tmp.resolve("s");
        SweepSpec spec = SweepSpec.read(TinySweep.write(tmp, TinySweep.yaml("t", 2, 20)));
        SweepPlan.create(dir, spec, 4);
        String before = Files.readString(dir.resolve(SweepPlan.FILE));
        SweepSpec other = SweepSpec.read(TinySweep.write(tmp, TinySweep.yaml("t", 3, 20)));
        assertEquals(dir + " holds sweep 't' planned from another spec or ensemble size (4); choose another --dir",
                assertThrows(IllegalArgumentException.class, () -> SweepPlan.create(dir, other, 4)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SweepPlan.create(dir, spec, 8));
        assertEquals(before, Files.readString(dir.resolve(SweepPlan.FILE)));
    }

    @Test
    void aRunDrawnTwiceTrainsOnce() throws IOException {
        SweepSpec spec = SweepSpec.read(TinySweep.write(tmp, "name: r\nmethod: random\ncount: 20\nparameters:\n  seed: {values: [0, 1]}\n  steps: {value: 5}\n"));
        assertEquals(20, spec.runs().size());
        assertEquals(2, SweepPlan.create(tmp.resolve("s"), spec, 64).runs().size());
    }
}
