package org.biaslab.probe.landscape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The loss (and accuracy) over a slice's grid, written to {@code <name>.csv} one point per row as it is computed
 * and to {@code <name>.json} at the end. Resumable: the points already in the CSV are read back, not computed again,
 * provided {@code <name>.json} records the same settings (whatever describes how the grid was made: run, step,
 * seed, range, batches, …).
 */
public final class Landscape {
    /** The CSV's columns: the point's indices and coordinates, then its values. */
    public static final String HEADER = "i,j,alpha,beta,loss,accuracy";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The values of a grid, {@code loss[i][j]} at (α_i, β_j); {@code computed} of them were evaluated by this call
     * (the others read back) in {@code seconds}.
     */
    public record Result(Grid grid, double[][] loss, double[][] accuracy, int computed, double seconds) {
        /** The indices {i, j} of the grid point of least loss (NaN losses are passed over). */
        public int[] least() {
            int bi = 0, bj = 0;
            for (int i = 0; i < loss.length; i++) {
                for (int j = 0; j < loss[i].length; j++) {
                    if (Double.isNaN(loss[bi][bj]) || loss[i][j] < loss[bi][bj]) {
                        bi = i;
                        bj = j;
                    }
                }
            }
            return new int[] {bi, bj};
        }
    }

    private Landscape() {}

    /**
     * Evaluates {@code objective} at every point of {@code grid} on {@code slice} (β outer, α inner) that
     * {@code dir/<name>.csv} does not hold yet, appending each as it is done; {@code progress} hears the number of
     * points done, those read back included. Writes {@code dir/<name>.json} (settings and values) at the end.
     */
    public static Result measure(Slice slice, Grid grid, Supplier<Evaluation> objective, Path dir, String name,
                                 Map<String, Object> settings, IntConsumer progress) throws IOException {
        if (!slice.planar() && grid.betas().length > 1) {
            throw new IllegalArgumentException("landscape: a line has no β axis, the grid has " + grid.betas().length + " values of β");
        }
        Path csv = dir.resolve(name + ".csv"), json = dir.resolve(name + ".json");
        JsonNode wanted = JSON.readTree(JSON.writeValueAsString(settings)); // as read back: 30 is an int node, whatever its Java type
        double[][] loss = filled(grid, Double.NaN), accuracy = filled(grid, Double.NaN);
        boolean[][] done = new boolean[grid.alphas().length][grid.betas().length];
        int count = 0;
        if (Files.exists(csv)) {
            if (!Files.exists(json)) throw new IllegalArgumentException(csv + " has no " + json.getFileName() + " beside it to say how it was measured; remove it");
            JsonNode had = JSON.readTree(json.toFile()).path("settings");
            if (!had.equals(wanted)) {
                throw new IllegalArgumentException(csv + " was measured with other settings (" + difference(had, wanted)
                        + "); remove it or measure into another directory");
            }
            count = GridCsv.read(csv, grid, loss, accuracy, done);
        } else {
            Files.createDirectories(dir);
            Files.writeString(csv, HEADER + "\n");
        }
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("settings", settings);
        started.put("complete", false);
        Files.writeString(json, JSON.writeValueAsString(started) + "\n");
        if (progress != null) progress.accept(count);
        long start = System.nanoTime();
        int computed = 0;
        try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            for (int j = 0; j < grid.betas().length; j++) {
                for (int i = 0; i < grid.alphas().length; i++) {
                    if (done[i][j]) continue;
                    Evaluation e = slice.evaluate(grid.alphas()[i], grid.betas()[j], objective);
                    loss[i][j] = e.loss();
                    accuracy[i][j] = e.accuracy();
                    out.write(i + "," + j + "," + grid.alphas()[i] + "," + grid.betas()[j] + "," + e.loss() + "," + e.accuracy() + "\n");
                    out.flush(); // a killed run keeps every finished point
                    computed++;
                    if (progress != null) progress.accept(++count);
                }
            }
        }
        Result r = new Result(grid, loss, accuracy, computed, (System.nanoTime() - start) / 1e9);
        Files.writeString(json, JSON.writeValueAsString(json(r, settings)) + "\n");
        return r;
    }

    /** The settings that differ, as "key: old there, new here". */
    private static String difference(JsonNode had, JsonNode wanted) {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        had.fieldNames().forEachRemaining(keys::add);
        wanted.fieldNames().forEachRemaining(keys::add);
        StringBuilder out = new StringBuilder();
        for (String k : keys) {
            if (had.path(k).equals(wanted.path(k))) continue;
            if (!out.isEmpty()) out.append("; ");
            out.append(k).append(": ").append(had.has(k) ? had.get(k) : "none").append(" there, ").append(wanted.has(k) ? wanted.get(k) : "none").append(" here");
        }
        return out.toString();
    }

    /** The JSON of a result: settings, grid, values (flat over α on a line), the least loss and where it lies. */
    static Map<String, Object> json(Result r, Map<String, Object> settings) {
        Grid g = r.grid();
        boolean line = g.betas().length == 1;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("settings", settings);
        out.put("complete", true);
        out.put("points", g.size());
        out.put("computed", r.computed());
        out.put("seconds", r.seconds());
        out.put("alpha", g.alphas());
        if (!line) out.put("beta", g.betas());
        out.put("loss", line ? column(r.loss()) : r.loss());
        out.put("accuracy", line ? column(r.accuracy()) : r.accuracy());
        int bi = r.least()[0], bj = r.least()[1];
        Map<String, Object> min = new LinkedHashMap<>();
        min.put("alpha", g.alphas()[bi]);
        if (!line) min.put("beta", g.betas()[bj]);
        min.put("loss", r.loss()[bi][bj]);
        min.put("accuracy", r.accuracy()[bi][bj]);
        out.put("min", min);
        return out;
    }

    private static double[] column(double[][] v) {
        return Arrays.stream(v).mapToDouble(c -> c[0]).toArray();
    }

    private static double[][] filled(Grid g, double value) {
        double[][] v = new double[g.alphas().length][g.betas().length];
        for (double[] c : v) Arrays.fill(c, value);
        return v;
    }
}
