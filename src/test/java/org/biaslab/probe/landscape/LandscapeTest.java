package org.biaslab.probe.landscape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LandscapeTest {
    @TempDir
    Path tmp;

    /** A long among them, as the CLI's checkpoint step: it must compare equal to the int that JSON reads back. */
    static final Map<String, Object> SETTINGS = new java.util.TreeMap<>(Map.of("seed", 7, "steps", 5L));

    /** The quadratic's plane through two filter-normalised directions of seed 7. */
    static Slice plane(Quadratic q) {
        Rng rng = new Rng(7);
        var theta = q.namedParameters();
        return Slice.along(q, FilterNormalisation.randomDirection(theta, rng, false), FilterNormalisation.randomDirection(theta, rng, false));
    }

    /** Stands for a kill: the progress callback stops the measurement after some points. */
    static final class Killed extends RuntimeException {}

    @Test
    void aKilledPlaneResumesWithTheSameGridComputingOnlyWhatIsMissing() throws Exception {
        Quadratic q = new Quadratic(1);
        Grid grid = Grid.square(-1, 1, 5);
        Landscape.Result whole = Landscape.measure(plane(q), grid, q.objective(), tmp.resolve("whole"), "random-2d", SETTINGS, null);
        assertEquals(25, whole.computed());

        Path dir = tmp.resolve("killed");
        assertThrows(Killed.class, () -> Landscape.measure(plane(q), grid, q.objective(), dir, "random-2d", SETTINGS, done -> {
            if (done == 11) throw new Killed();
        }));
        assertEquals(1 + 11, Files.readAllLines(dir.resolve("random-2d.csv")).size(), "the header and the 11 finished points");
        Files.writeString(dir.resolve("random-2d.csv"), "11,2,0.5,0.0,0.12", java.nio.file.StandardOpenOption.APPEND); // a row cut off mid-write
        int[] first = new int[1];
        Landscape.Result resumed = Landscape.measure(plane(q), grid, q.objective(), dir, "random-2d", SETTINGS, done -> {
            if (first[0] == 0) first[0] = done;
        });
        assertEquals(11, first[0], "progress starts from the points read back");
        assertEquals(14, resumed.computed());
        for (int i = 0; i < 5; i++) assertArrayEquals(whole.loss()[i], resumed.loss()[i], 0, "α index " + i);
        assertEquals(Files.readAllLines(tmp.resolve("whole/random-2d.csv")), Files.readAllLines(dir.resolve("random-2d.csv")));
        assertEquals(0, Landscape.measure(plane(q), grid, q.objective(), dir, "random-2d", SETTINGS, null).computed(), "a finished grid is read back");
    }

    @Test
    void theJsonHoldsSettingsGridValuesAndTheLeastLoss() throws Exception {
        Quadratic q = new Quadratic(2);
        Grid grid = Grid.square(-1, 1, 5);
        Landscape.Result r = Landscape.measure(plane(q), grid, q.objective(), tmp, "random-2d", SETTINGS, null);
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("random-2d.json").toFile());
        assertEquals(7, json.at("/settings/seed").asInt());
        assertTrue(json.get("complete").asBoolean());
        assertEquals(25, json.get("points").asInt());
        assertEquals(-1, json.at("/alpha/0").asDouble());
        assertEquals(1, json.at("/beta/4").asDouble());
        assertEquals(r.loss()[3][1], json.at("/loss/3/1").asDouble(), 0, "loss[i][j] at (α_i, β_j)");
        double least = Double.POSITIVE_INFINITY;
        for (double[] column : r.loss()) for (double v : column) least = Math.min(least, v);
        assertEquals(least, json.at("/min/loss").asDouble(), 0);

        Landscape.Result line = Landscape.measure(Slice.along(q, FilterNormalisation.randomDirection(q.namedParameters(), new Rng(7), false), null),
                Grid.line(-1, 1, 5), q.objective(), tmp, "random-1d", SETTINGS, null);
        JsonNode lj = new ObjectMapper().readTree(tmp.resolve("random-1d.json").toFile());
        assertEquals(line.loss()[2][0], lj.at("/loss/2").asDouble(), 0, "a line's values are flat over α");
        assertEquals(r.loss()[2][2], line.loss()[2][0], 0, "the same seed's line is the plane's row β = 0");
        assertTrue(lj.get("beta") == null);
    }

    @Test
    void aGridOfOtherSettingsOrAForeignCsvIsNotResumed() throws Exception {
        Quadratic q = new Quadratic(3);
        Grid grid = Grid.square(-1, 1, 3);
        Landscape.measure(plane(q), grid, q.objective(), tmp, "random-2d", SETTINGS, null);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Landscape.measure(plane(q), grid, q.objective(), tmp, "random-2d", new java.util.TreeMap<>(Map.of("seed", 8, "steps", 5L)), null));
        assertTrue(e.getMessage().endsWith("random-2d.csv was measured with other settings (seed: 7 there, 8 here); remove it or measure into another directory"),
                e.getMessage());
        Files.writeString(tmp.resolve("random-2d.csv"), Landscape.HEADER + "\n7,0,-1.0,-1.0,1.0,NaN\n");
        var f = assertThrows(FormatException.class, () -> Landscape.measure(plane(q), grid, q.objective(), tmp, "random-2d", SETTINGS, null));
        assertTrue(f.getMessage().endsWith("random-2d.csv: row 2 (7,0,-1.0,-1.0,1.0,NaN) is not a point of this grid"), f.getMessage());
        Files.delete(tmp.resolve("random-2d.json"));
        var g = assertThrows(IllegalArgumentException.class, () -> Landscape.measure(plane(q), grid, q.objective(), tmp, "random-2d", SETTINGS, null));
        assertTrue(g.getMessage().contains("has no random-2d.json beside it"), g.getMessage());
    }
}
