package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code biaslab measure landscape} on tiny runs trained here. */
class MeasureLandscapeCommandTest {
    @TempDir
    static Path tmp;
    static Path a, b, wide;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void train() throws Exception {
        RunConfig c = RunConfig.defaults().with(Map.of("task", "majority", "n", 5, "d", 16, "batch", 64, "steps", 30, "seed", 3,
                "maxLen", 8, "lr", 3e-3)).with(Map.of("logEvery", 30, "evalEvery", 30, "evalBatches", 1, "checkpointEvery", 30));
        RunDir da = new RunDir(tmp.resolve("a")), db = new RunDir(tmp.resolve("b"));
        RunConfig cb = c.with(Map.of("seed", 4));
        da.init(c);
        db.init(cb);
        new Trainer(List.of(new Trainer.Run(c, da), new Trainer.Run(cb, db)), null).run();
        RunConfig cw = c.with(Map.of("d", 32, "steps", 1, "checkpointEvery", 1));
        RunDir dw = new RunDir(tmp.resolve("wide"));
        dw.init(cw);
        new Trainer(List.of(new Trainer.Run(cw, dw)), null).run();
        a = da.path();
        b = db.path();
        wide = dw.path();
    }

    /** {exit code, stdout, stderr}. */
    static String[] measure(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buffer, true));
            String[] r = Cli.run(args);
            return new String[] {r[0], buffer.toString(), r[1]};
        } finally {
            System.setOut(out);
        }
    }

    static JsonNode ok(String... args) throws Exception {
        String[] r = measure(args);
        assertEquals("0", r[0], r[2]);
        return JSON.readTree(r[1]);
    }

    @Test
    void aLineThroughTheRunStartsFromItsOwnLossAndWritesCsvJsonAndPlots() throws Exception {
        JsonNode line = ok("measure", "landscape", a.toString(), "--steps", "5", "--batches", "1", "--batch", "16", "--json");
        assertEquals("random", line.at("/settings/kind").asText());
        assertEquals(List.of(-1.0, -0.5, 0.0, 0.5, 1.0), JSON.convertValue(line.get("alpha"), List.class));
        JsonNode measured = ok("measure", "sharpness", a.toString(), "--batches", "1", "--batch", "16", "--repeats", "1", "--json");
        assertEquals(measured.get("measure/loss").asDouble(), line.at("/loss/2").asDouble(), 0, "α = 0 is the run on the same batches");
        assertEquals(measured.get("measure/accuracy").asDouble(), line.at("/accuracy/2").asDouble(), 0);
        for (String ext : List.of("csv", "json", "png", "svg")) assertTrue(Files.size(a.resolve("landscape/random-1d." + ext)) > 0, ext);

        // the plane of the same seed: its row β = 0 (j = 1) is the line at α = −1, 0, 1; run again, nothing is recomputed
        Path out = tmp.resolve("plane");
        JsonNode plane = ok("measure", "landscape", a.toString(), "--2d", "--steps", "3", "--batches", "1", "--batch", "16", "--out", out.toString(), "--json");
        assertEquals(9, plane.get("computed").asInt());
        for (int i = 0; i < 3; i++) assertEquals(line.at("/loss/" + 2 * i).asDouble(), plane.at("/loss/" + i + "/1").asDouble(), 0, "α index " + i);
        JsonNode again = ok("measure", "landscape", a.toString(), "--2d", "--steps", "3", "--batches", "1", "--batch", "16", "--out", out.toString(), "--json");
        assertEquals(0, again.get("computed").asInt());
        assertEquals(plane.get("loss"), again.get("loss"));
        assertTrue(Files.size(out.resolve("random-2d.png")) > 0);
    }

    @Test
    void theInterpolationStartsAtTheRunsLossOnTheSameBatchesAndPrintsATable() throws Exception {
        String[] text = measure("measure", "landscape", a.toString(), "--to", b.toString(), "--steps", "5", "--batches", "1", "--batch", "16");
        assertEquals("0", text[0], text[2]);
        assertTrue(text[1].startsWith(a + ": step 30, interpolation to " + b + ", 5 points of [-0.5, 1.5], 1 batches of 16 inputs per point (5 computed"), text[1]);
        assertEquals(1 + 1 + 5 + 1, text[1].strip().split("\n").length, "a heading, the column names, 5 rows and where the files went");
        JsonNode r = JSON.readTree(a.resolve("landscape/interpolation-1d.json").toFile());
        assertEquals(List.of(-0.5, 0.0, 0.5, 1.0, 1.5), JSON.convertValue(r.get("alpha"), List.class));
        assertEquals(30, r.at("/settings/to_step").asInt());
        JsonNode atA = ok("measure", "sharpness", a.toString(), "--batches", "1", "--batch", "16", "--repeats", "1", "--json");
        assertEquals(atA.get("measure/loss").asDouble(), r.at("/loss/1").asDouble(), 0, "α = 0 is run A");
        assertTrue(r.at("/loss/3").asDouble() != r.at("/loss/1").asDouble(), "α = 1 is another model");
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        String[] other = measure("measure", "landscape", a.toString(), "--to", wide.toString(), "--steps", "5", "--out", tmp.resolve("x").toString());
        assertEquals("2", other[0]);
        assertEquals("biaslab measure landscape: --to " + wide + ": not the same architecture: the other model has 'embedding.weight' of shape [2, 16], the model [2, 8]",
                other[2]);
        String[] range = measure("measure", "landscape", a.toString(), "--range", "1");
        assertEquals("2", range[0]);
        assertEquals("biaslab measure landscape: --range must be two numbers A,B, got '1'", range[2]);
        String[] steps = measure("measure", "landscape", a.toString(), "--steps", "1");
        assertEquals("biaslab measure landscape: landscape: needs at least 2 steps, got 1", steps[2]);
        assertEquals("2", measure("measure", "landscape", tmp.resolve("nothing").toString())[0]);
    }
}
