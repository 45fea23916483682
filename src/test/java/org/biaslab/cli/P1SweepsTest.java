package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.List;
import org.biaslab.experiment.p1.LengthScaling;
import org.biaslab.experiment.p1.Tradeoff;
import org.biaslab.sweep.SweepSpec;
import org.biaslab.train.RunConfig;
import org.junit.jupiter.api.Test;

/** {@code reproduce p1 --print-sweep}: P1's grids as sweep files that 'sweep run' reads. */
class P1SweepsTest {
    @Test
    void e1sSweepFilesHoldExactlyTheRunsReproduceTrains() throws Exception {
        for (LengthScaling scaling : List.of(LengthScaling.quick(), LengthScaling.full())) {
            for (LengthScaling.Sweep s : scaling.sweeps()) assertEquals(s.runs(), SweepSpec.of(P1Sweeps.e1(s, "")).runs(), s.name());
        }
        assertEquals(1080, SweepSpec.of(P1Sweeps.e1(LengthScaling.full().sweeps().getFirst(), "")).runs().size());
    }

    @Test
    void e2sSearchesKeepTheirCountsAndRangesAndThePrintedYamlReadsBack() throws Exception {
        Tradeoff t = Tradeoff.full();
        for (int k = 0; k < t.sweeps().size(); k++) {
            List<RunConfig> runs = SweepSpec.of(P1Sweeps.e2(t, k, "")).runs();
            assertEquals(t.sweeps().get(k).runs(), runs.size());
            for (RunConfig c : runs) {
                assertTrue(t.sweeps().get(k).functions().contains(c.task()) && t.sweeps().get(k).lengths().contains(c.n()));
                assertTrue(c.lr() >= t.lr().min() && c.lr() <= t.lr().max() && c.seed() >= t.sweeps().get(k).seedMin() && c.seed() <= t.sweeps().get(k).seedMax());
            }
        }
        String yaml = P1Sweeps.yaml(true, List.of("e1", "e2"));
        var docs = new YAMLMapper().readerFor(ObjectNode.class).<ObjectNode>readValues(yaml).readAll();
        assertEquals(6, docs.size());
        assertEquals(LengthScaling.quick().sweeps().get(1).runs(), SweepSpec.of(docs.get(1)).runs());
        assertEquals("p1-e2-parity-quick", SweepSpec.of(docs.get(2)).name());
    }
}
