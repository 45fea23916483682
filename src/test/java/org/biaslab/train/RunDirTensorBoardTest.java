package org.biaslab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.biaslab.io.tensorboard.EventFiles;
import org.biaslab.io.tensorboard.proto.Event;
import org.biaslab.io.tensorboard.proto.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's metrics.jsonl and its TensorBoard event files hold the same numbers, also across a resumed session. */
class RunDirTensorBoardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static double value(String tag, long step, long seed) {
        return (tag.hashCode() % 97 + 1) / (double) (step + seed);
    }

    private static Map<String, Object> line(long step, Long seed, String... tags) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        if (seed != null) m.put("seed", seed);
        for (String t : tags) m.put(t, value(t, step, seed == null ? 0 : seed));
        return m;
    }

    /**
     * A P1 run (one member) and an ensemble run whose members 1 and 2 share the directory (as P2's and P3's), each
     * interrupted after its checkpoint at step 200 (its step-300 lines written) and resumed in a new session.
     */
    private static List<Path> runs(Path tmp) throws IOException {
        Path single = tmp.resolve("single"), ensemble = tmp.resolve("ensemble");
        RunDir a = new RunDir(single);
        a.init(RunConfig.defaults());
        RunDir b = new RunDir(ensemble);
        b.init("{\"seeds\": [1, 2], \"epochs\": 2}");
        for (long step = 100; step <= 300; step += 100) {
            a.log(step == 200 ? line(step, null, "train/loss", "param_norm", "eval/loss") : line(step, null, "train/loss", "param_norm"));
            for (long seed = 1; seed <= 2; seed++) {
                b.log(line(step, seed, "train/loss", "param_norm"));
                if (step == 200) b.log(line(step, seed, "dev/loss", "param_norm")); // param_norm at 200 again, as P3 logs it
            }
        }
        RunDir a2 = new RunDir(single), b2 = new RunDir(ensemble);
        a2.truncateMetrics(200);
        b2.truncateMetrics(200);
        for (long step = 300; step <= 400; step += 100) {
            a2.log(line(step, null, "train/loss", "param_norm", "measure/sharpness_x4"));
            for (long seed = 1; seed <= 2; seed++) b2.log(line(step, seed, "train/loss", "param_norm"));
        }
        return List.of(single, ensemble);
    }

    /** From metrics.jsonl: event directory -> tag -> [(step, value as float)], each tag's first value at a step. */
    private static Map<String, Map<String, List<List<Double>>>> expected(Path run) throws IOException {
        Map<String, Map<String, List<List<Double>>>> out = new TreeMap<>();
        for (Map<String, Object> m : new RunDir(run).metrics()) {
            String dir = m.containsKey("seed") ? "tb/seed-" + m.get("seed") : "tb";
            double step = ((Number) m.get("step")).doubleValue();
            m.forEach((k, v) -> {
                if (k.equals("step") || k.equals("seed")) return;
                List<List<Double>> series = out.computeIfAbsent(dir, d -> new TreeMap<>()).computeIfAbsent(k, t -> new ArrayList<>());
                if (series.isEmpty() || series.getLast().get(0) < step) series.add(List.of(step, (double) ((Number) v).floatValue()));
            });
        }
        return out;
    }

    @Test
    void eventFilesHoldEachMetricOnceAndTheConfig(@TempDir Path tmp) throws IOException {
        for (Path run : runs(tmp)) {
            Map<String, Map<String, List<List<Double>>>> read = new TreeMap<>();
            for (String dir : expected(run).keySet()) {
                List<Path> files = EventFiles.in(run.resolve(dir));
                assertEquals(2, files.size(), "one event file per session in " + run.resolve(dir));
                String config = null;
                for (Path f : files) {
                    for (Event e : EventFiles.read(f)) {
                        for (Summary.Value v : e.getSummary().getValueList()) {
                            if (v.hasTensor()) {
                                assertEquals(null, config, "the config once");
                                config = v.getTensor().getStringVal(0).toStringUtf8();
                                continue;
                            }
                            read.computeIfAbsent(dir, d -> new TreeMap<>()).computeIfAbsent(v.getTag(), t -> new ArrayList<>())
                                    .add(List.of((double) e.getStep(), (double) v.getSimpleValue()));
                        }
                    }
                }
                assertEquals(JSON.readTree(run.resolve("config.json").toFile()), JSON.readTree(config));
                assertTrue(config.lines().allMatch(l -> l.startsWith("    ")), "indented: markdown shows it as code");
            }
            assertEquals(expected(run), read);
        }
    }

    /** TensorBoard's EventAccumulator reads the same scalars and the config text (skips where it is not installed). */
    @Test
    void tensorBoardReadsThem(@TempDir Path tmp) throws IOException, InterruptedException {
        String why = tensorBoardMissing();
        assumeTrue(why == null, why);
        List<Path> runs = runs(tmp);
        String script = """
                import json, sys
                from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
                out = {}
                for d in sys.argv[1:]:
                    ea = EventAccumulator(d, size_guidance={"scalars": 0, "tensors": 0})
                    ea.Reload()
                    out[d] = {"scalars": {t: [[float(e.step), e.value] for e in ea.Scalars(t)] for t in ea.Tags()["scalars"]},
                              "text": {t: [e.tensor_proto.string_val[0].decode() for e in ea.Tensors(t)] for t in ea.Tags()["tensors"]}}
                print(json.dumps(out))
                """;
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        Map<Path, Map<String, List<List<Double>>>> expected = new LinkedHashMap<>();
        for (Path run : runs) {
            for (var e : expected(run).entrySet()) {
                expected.put(run.resolve(e.getKey()), e.getValue());
                cmd.add(run.resolve(e.getKey()).toString());
            }
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, err);
        var tree = JSON.readTree(out);
        for (var e : expected.entrySet()) {
            var d = tree.get(e.getKey().toString());
            assertEquals(JSON.valueToTree(e.getValue()), d.get("scalars"), e.getKey().toString());
            Path run = e.getKey().getFileName().toString().equals("tb") ? e.getKey().getParent() : e.getKey().getParent().getParent();
            assertEquals(1, d.get("text").get("config").size());
            assertEquals(JSON.readTree(run.resolve("config.json").toFile()), JSON.readTree(d.get("text").get("config").get(0).asText()));
        }
    }

    /** Why TensorBoard's Python package cannot be used here, or null where it can. */
    private static String tensorBoardMissing() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import tensorboard").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) return "python3 -c 'import tensorboard' did not finish";
            return p.exitValue() == 0 ? null : "python3 cannot import tensorboard: " + out.lines().reduce((x, y) -> y).orElse("");
        } catch (IOException e) {
            return "no python3: " + e.getMessage();
        }
    }
}
