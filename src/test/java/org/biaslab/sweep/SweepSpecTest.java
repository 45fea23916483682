package org.biaslab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.train.RunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and expanding W&B sweep files. */
class SweepSpecTest {
    @TempDir
    Path tmp;

    private SweepSpec read(String yaml) throws IOException {
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, yaml);
        return SweepSpec.read(f);
    }

    private String error(String yaml) {
        Path f = tmp.resolve("s.yaml");
        return assertThrows(FormatException.class, () -> read(yaml)).getMessage().substring(f.toString().length() + 2);
    }

    @Test
    void aGridIsTheProductOfItsValuesWithTheFirstParameterOutermost() throws IOException {
        SweepSpec s = read("""
                name: g
                method: grid
                parameters:
                  task: {values: [parity, majority]}
                  n: {values: [4, 5, 6]}
                  seed: {values: [0, 1]}
                  d: {value: 16}
                """);
        List<RunConfig> runs = s.runs();
        assertEquals(12, runs.size());
        assertEquals(RunConfig.defaults().with(Map.of("task", "parity", "n", 4, "seed", 1L, "restrictedSeed", 1L, "d", 16)), runs.get(1));
        assertEquals("majority", runs.get(6).task());
        assertEquals(12, new HashSet<>(runs.stream().map(RunKey::of).toList()).size());
    }

    @Test
    void aRandomSearchIsRepeatableWithinItsRangesAndALargerCountKeepsItsEarlierRuns() throws IOException {
        String yaml = """
                name: r
                method: random
                seed: 7
                count: %d
                parameters:
                  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2}
                  weightDecay: {min: 0.0, max: 0.4}
                  n: {min: 4, max: 9}
                  batch: {distribution: q_uniform, min: 16, max: 64, q: 16}
                  task: {values: [parity, first]}
                """;
        List<RunConfig> a = read(yaml.formatted(50)).runs(), b = read(yaml.formatted(50)).runs(), c = read(yaml.formatted(80)).runs();
        assertEquals(50, a.size());
        assertEquals(a, b);
        assertEquals(a, c.subList(0, 50));
        for (RunConfig r : c) {
            assertTrue(r.lr() >= 1e-4 && r.lr() <= 1e-2 && r.weightDecay() >= 0 && r.weightDecay() <= 0.4, r.toString());
            assertTrue(r.n() >= 4 && r.n() <= 9 && r.batch() % 16 == 0 && r.batch() >= 16 && r.batch() <= 64, r.toString());
        }
        assertEquals(6, c.stream().map(RunConfig::n).distinct().count(), "int_uniform reaches both ends in 80 draws");
        assertNotEquals(a, read(yaml.formatted(50).replace("seed: 7", "seed: 8")).runs());
    }

    @Test
    void problemsAreOneLineNamingTheField() {
        String head = "name: x\nmethod: grid\n";
        assertTrue(error(head + "parameters:\n  nn: {values: [4]}\n").startsWith("parameters.nn: not a run config field (valid: task, n, minN,"));
        assertEquals("method must be grid or random, got 'bayes' (bayes is not supported)", error("name: x\nmethod: bayes\nparameters: {n: {value: 4}}\n"));
        assertEquals("parameters.lr: method grid needs value or values, not distribution uniform",
                error(head + "parameters:\n  lr: {min: 0.1, max: 0.2}\n"));
        assertEquals("count: method random needs a positive integer count, got null", error("name: x\nmethod: random\nparameters: {n: {value: 4}}\n"));
        assertEquals("parameters.n: 4.5 is not an integer", error(head + "parameters:\n  n: {values: [4.5]}\n"));
        assertEquals("parameters.lr: unknown key 'mni' (valid: value, values, distribution, min, max, q)",
                error("name: x\nmethod: random\ncount: 2\nparameters:\n  lr: {mni: 1, max: 2}\n"));
        assertEquals("parameters.lr: distribution 'normal' is not supported (supported: categorical, constant, uniform, int_uniform, "
                + "log_uniform_values, q_uniform, q_log_uniform_values)", error("name: x\nmethod: random\ncount: 2\nparameters:\n  lr: {distribution: normal, min: 1, max: 2}\n"));
        assertEquals("unknown key 'program' (valid: count, description, measure, method, name, parameters, seed)", error(head + "program: train.py\n"));
        assertTrue(error(head + "parameters:\n  d: {values: [3]}\n").startsWith("parameters give a run {d=3} that is not valid: d must be even"));
        assertEquals("measure.batch: expected a positive integer, got 0", error(head + "parameters: {n: {value: 4}}\nmeasure: {batches: 2, batch: 0}\n"));
    }

    @Test
    void jsonSweepsReadAsYamlOnesDoAndMaxLenFollowsALongN() throws IOException {
        Path f = tmp.resolve("s.json");
        Files.writeString(f, "{\"name\": \"j\", \"method\": \"grid\", \"parameters\": {\"n\": {\"values\": [4, 2000]}}}");
        List<RunConfig> runs = SweepSpec.read(f).runs();
        assertEquals(List.of(1024, 2000), runs.stream().map(RunConfig::maxLen).toList());
        Files.writeString(f, "{\"name\": \"j\", \"name\": \"k\"}");
        assertTrue(assertThrows(FormatException.class, () -> SweepSpec.read(f)).getMessage().contains("Duplicate field 'name'"));
    }
}
