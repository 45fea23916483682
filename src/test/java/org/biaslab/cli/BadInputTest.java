package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the command line (issue #17, items 6 to 8): exit code 2 and one line on stderr that names the file, the
 * field and the problem; usage is for {@code --help} only.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private static void assertOneLine(String expected, String[] result) {
        assertEquals("2", result[0], result[1]);
        assertEquals(expected, result[1]);
    }

    @Test
    void aRunDirectoryWhoseConfigIsNoObjectIsNamedByTrainMeasureAndReport() throws Exception {
        Path run = Files.createDirectories(dir.resolve("parity-n20-s0"));
        Path config = Files.writeString(run.resolve("config.json"), "[]");
        String array = config + ": holds an array; expected an object of fields";
        assertOneLine("biaslab report: " + array, Cli.run("report", run.toString()));
        assertOneLine("biaslab measure sensitivity: " + array, Cli.run("measure", "sensitivity", run.toString()));
        assertOneLine("biaslab train: " + array, Cli.run("train", "--out", dir.toString(), "--steps", "1"));
        Files.writeString(config, "");
        assertOneLine("biaslab report: " + config + ": is empty; expected an object of fields", Cli.run("report", run.toString()));
    }

    @Test
    void parserErrorsAreOneLine() throws Exception {
        Path yaml = Files.writeString(dir.resolve("bad.yaml"), "steps: [1,\n  d: 3\n");
        assertOneLine("biaslab train: " + yaml + ": not valid YAML: while parsing a flow sequence: expected ',' or ']', but got"
                + " <stream end> (line 3, column 1)", Cli.run("train", "--config", yaml.toString()));
        Path json = Files.writeString(dir.resolve("bad.json"), "{\"steps\": \"many\"}");
        String[] r = Cli.run("train", "--config", json.toString());
        assertEquals("2", r[0]);
        assertTrue(r[1].startsWith("biaslab train: " + json + ": field 'steps': Cannot deserialize value of type `long` from String \"many\""), r[1]);
        assertEquals(1, r[1].lines().count(), r[1]);
        assertOneLine("biaslab boolfn sensitivity: Invalid value for option '--n': 'abc' is not an int (see --help)",
                Cli.run("boolfn", "sensitivity", "parity", "--n", "abc"));
        assertOneLine("biaslab train: Missing required parameter for option '--steps' (<steps>) (see --help)", Cli.run("train", "--steps"));
    }

    /** 64 partial sums of 2n + 2 doubles at n = 10^9 need 954 GiB: refused at once, with the memory, not run for days. */
    @Test
    void sensitivityRefusesWhatCannotFitAndSaysTheMemory() {
        String[] r = Cli.run("boolfn", "sensitivity", "parity", "--n", "1000000000");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].startsWith("biaslab boolfn sensitivity: sampled sensitivity at n = 1000000000 (64 partial sums of 2n + 2 doubles)"
                + " needs 953.7 GiB, but the largest free heap pool has "), r[1]);
        assertEquals(1, r[1].lines().count(), r[1]);
    }
}
