package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    @TempDir
    Path tmp;

    @Test
    void writesReportAndValidChartsForOneRun() throws Exception {
        Path run = SyntheticRuns.run(tmp, "parity", 12, 3, 2e-4, Map.of("measure/sharpness_x4", 0.8));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\": 600, \"train/lo", java.nio.file.StandardOpenOption.APPEND);

        Path report = RunReport.write(run);

        assertEquals(run.resolve("report.html"), report);
        String html = Files.readString(report);
        assertTrue(html.contains("<h1>Run parity-n12-s3: parity, n = 12, seed 3</h1>"));
        for (String section : new String[] {"Training curves", "Summary", "Measurements", "Configuration", "What was excluded and why"}) {
            assertTrue(html.contains("<h2>" + section + "</h2>"), "section " + section);
        }
        assertTrue(html.contains("<td>measure/sharpness_x4</td><td class=\"num\">0.8000</td>"));
        assertTrue(html.contains("&quot;task&quot; : &quot;parity&quot;"), "the config is shown as pretty JSON");
        assertTrue(html.contains("metrics.jsonl line 6 is not a JSON object"), "the cut-off line is reported as excluded");
        assertTrue(html.contains("data:image/png;base64,"));
        assertFalse(html.contains("http://") || html.contains("https://"));
        ValidFiles.png(run.resolve("plots/training.png"));
        ValidFiles.svg(run.resolve("plots/training.svg"));
    }

    @Test
    void measuresLoggedDuringTrainingGetStackedDynamicsPanels() throws Exception {
        Path run = SyntheticRuns.run(tmp, "parity", 8, 0, 1e-4, Map.of());
        Files.writeString(run.resolve("metrics.jsonl"), """
                {"step": 600, "train/loss": 1e-4, "param_norm": 52.0, "measure/sharpness": 0.3, "measure/blowup_encoder_maxs_prod": 40.0}
                {"step": 700, "train/loss": 5e-5, "param_norm": 51.0, "measure/sharpness": 0.5, "measure/blowup_encoder_maxs_prod": 90.0}
                """, java.nio.file.StandardOpenOption.APPEND);

        String html = Files.readString(RunReport.write(run));

        assertTrue(html.contains("No measurements.json"));
        assertTrue(html.contains("measure/sharpness, measure/blowup_encoder_maxs_prod"));
        ValidFiles.png(run.resolve("plots/dynamics.png"));
        ValidFiles.svg(run.resolve("plots/dynamics.svg"));
    }
}
