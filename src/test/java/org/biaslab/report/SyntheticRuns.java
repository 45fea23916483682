package org.biaslab.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;

/** Run directories as the trainer writes them (docs/training.md), with made-up numbers. */
final class SyntheticRuns {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticRuns() {}

    /** A finished run with {@code steps} logged steps of a falling loss, a summary and, when not empty, measurements. */
    static Path run(Path parent, String task, int n, long seed, double evalLoss, Map<String, Double> measurements)
            throws IOException {
        RunConfig config = RunConfig.defaults().with(Map.of("task", task, "n", n, "seed", seed, "steps", 500));
        RunDir dir = new RunDir(parent.resolve(config.defaultName()));
        dir.init(config);
        for (int step = 100; step <= 500; step += 100) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("train/loss", 0.25 * Math.exp(-step / 100.0));
            m.put("param_norm", 40 + step / 50.0);
            m.put("lr", 3e-4);
            m.put("steps_per_s", 12.5);
            if (step % 200 == 0 || step == 500) {
                m.put("eval/loss", step == 500 ? evalLoss : 0.2 * Math.exp(-step / 100.0));
                m.put("eval/accuracy", Math.min(1, 0.5 + step / 1000.0));
            }
            dir.log(m);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("steps", 500);
        summary.put("eval/loss", evalLoss);
        summary.put("eval/accuracy", evalLoss < 1e-3 ? 1.0 : 0.6);
        summary.put("param_norm", 50.0);
        summary.put("converged", evalLoss < 1e-3);
        dir.writeSummary(summary);
        if (!measurements.isEmpty()) Files.writeString(dir.path().resolve("measurements.json"), JSON.writeValueAsString(measurements));
        return dir.path();
    }
}
