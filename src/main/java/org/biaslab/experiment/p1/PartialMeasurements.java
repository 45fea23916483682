package org.biaslab.experiment.p1;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.biaslab.probe.FinalMeasurements.Partial;
import org.biaslab.train.RunDir;

/**
 * An ensemble's measurement cut off part way (a time limit, a kill): each member's batch sums so far in its run's
 * {@value #FILE}, next to what its measurements.json will hold (step, batches, batch, settings) and the batches done.
 * A later measurement of the same runs under the same settings continues from there; measurements.json replaces it.
 */
final class PartialMeasurements {
    static final String FILE = "measurements.partial.json";
    /** The least time between two saves: a kill loses at most this much measuring. */
    private static final long SAVE_EVERY_NANOS = 20_000_000_000L;

    private PartialMeasurements() {}

    /**
     * The partial measurement all of {@code dirs} hold with the same batches done, under {@code header} (the step,
     * batches, batch and settings their measurements.json will hold); {@link Partial#NONE} when any is missing or
     * differs.
     */
    static Partial read(List<RunDir> dirs, Map<String, Object> header) throws IOException {
        // compared as parsed JSON, so that numbers meet as the same node types
        JsonNode expected = RunMeasurements.JSON.readTree(RunMeasurements.JSON.writeValueAsString(header));
        Map<String, double[]> sums = new LinkedHashMap<>();
        int done = -1;
        for (int e = 0; e < dirs.size(); e++) {
            Path file = dirs.get(e).path().resolve(FILE);
            if (!Files.isRegularFile(file)) return Partial.NONE;
            JsonNode saved;
            try {
                saved = RunMeasurements.JSON.readTree(file.toFile());
            } catch (IOException unreadable) { // cut off while written: the rename makes that unlikely, but start over
                return Partial.NONE;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                var h = it.next();
                if (!h.getValue().equals(saved.get(h.getKey()))) return Partial.NONE;
            }
            int d = saved.path("done").asInt(-1);
            if (d < 1 || (done >= 0 && d != done)) return Partial.NONE;
            done = d;
            int keys = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = saved.fields(); it.hasNext(); ) {
                var f = it.next();
                if (!f.getKey().startsWith("measure/")) continue;
                keys++;
                String key = f.getKey().substring("measure/".length());
                double[] s = sums.get(key);
                if (s == null) {
                    if (e > 0) return Partial.NONE; // a value member 0 does not have
                    sums.put(key, s = new double[dirs.size()]);
                }
                s[e] = f.getValue().asDouble();
            }
            if (keys != sums.size()) return Partial.NONE;
        }
        return new Partial(done, sums);
    }

    /** Saves the partial sums to each member's file, at most every 20 s and when the last batch is done. */
    static Consumer<Partial> saver(List<RunDir> dirs, Map<String, Object> header, int batches) {
        long[] last = {System.nanoTime()};
        return p -> {
            long now = System.nanoTime();
            if (p.done() < batches && now - last[0] < SAVE_EVERY_NANOS) return;
            last[0] = now;
            for (int e = 0; e < dirs.size(); e++) {
                Map<String, Object> out = new LinkedHashMap<>(header);
                out.put("done", p.done());
                for (var v : p.sums().entrySet()) out.put("measure/" + v.getKey(), v.getValue()[e]);
                try {
                    RunDir.write(dirs.get(e).path().resolve(FILE), RunMeasurements.JSON.writeValueAsString(out) + "\n");
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        };
    }

    /** Removes the run's partial file, once its measurements.json is written. */
    static void delete(RunDir dir) throws IOException {
        Files.deleteIfExists(dir.path().resolve(FILE));
    }
}
