package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepReportTest {
    @TempDir
    Path tmp;

    /** Parity's sharpness grows with n, majority's stays flat; one parity run did not converge. */
    @Test
    void parityHasSignificantPositiveSlopeAndUnconvergedRunIsExcluded() throws Exception {
        for (int n : new int[] {4, 8, 12, 16}) {
            for (int seed = 0; seed < 3; seed++) {
                double noise = 0.05 * (seed - 1);
                SyntheticRuns.run(tmp, "parity", n, seed, 1e-4, Map.of("measure/sharpness_x4", 0.1 * n + noise,
                        "measure/blowup_encoder_maxs_prod", Math.exp(0.3 * n) + seed, "measure/param_norm", 60.0 - n + seed,
                        "measure/hessian_top_eigenvalue", 2.0 * n + seed, "measure/hessian_trace", 5.0 * n + seed));
                SyntheticRuns.run(tmp, "majority", n, seed, 1e-4, Map.of("measure/sharpness_x4", 0.2 + noise,
                        "measure/blowup_encoder_maxs_prod", 3.0 + seed, "measure/param_norm", 30.0 + seed,
                        "measure/hessian_top_eigenvalue", 4.0 + seed, "measure/hessian_trace", 9.0 + seed));
            }
        }
        SyntheticRuns.run(tmp, "parity", 16, 9, 0.2, Map.of("measure/sharpness_x4", 100.0));
        List<Path> runs = SweepReport.runDirs(tmp);
        assertEquals(25, runs.size());

        Path report = SweepReport.write(tmp, runs, "P1 E1 <quick>", List.of("2 runs failed to start"));
        String line = SweepReport.summary(runs);
        assertTrue(line.startsWith("E1: 24 of 25 runs converged; sharpness slope per unit n: majority "), line);
        assertTrue(line.contains(" parity 0.1000 (p "), line);

        String html = Files.readString(report);
        assertTrue(html.contains("<h1>P1 E1 &lt;quick&gt;</h1>"));
        assertTrue(html.contains("25 run directories; 24 converged runs enter the figures and tables."));
        assertTrue(html.contains("<li>1 runs did not converge (summary eval/loss ≥ 0.001, P1&#39;s filter): parity-n16-s9</li>"));
        assertTrue(html.contains("<li>2 runs failed to start</li>"));
        assertTrue(html.contains("<tr><th>n</th><th>majority</th><th>parity</th></tr>\n<tr><td class=\"num\">4</td><td>3 of 3</td><td>3 of 3</td></tr>"),
                "converged of finished runs by length");
        assertTrue(html.contains("<tr><td class=\"num\">16</td><td>3 of 3</td><td>3 of 4</td></tr>"), "n = 16 lost a parity run to the filter");

        Matcher parity = row(html, "parity");
        assertTrue(parity.find(), "a regression row for parity");
        assertEquals(0.1, Double.parseDouble(parity.group(1)), 1e-9, "parity's slope");
        assertTrue(Double.parseDouble(parity.group(3)) < 1e-6, "parity's slope is significant");
        assertEquals("12", parity.group(4));
        Matcher majority = row(html, "majority");
        assertTrue(majority.find());
        assertEquals(0, Double.parseDouble(majority.group(1)), 1e-12, "majority is flat");
        assertTrue(Double.parseDouble(majority.group(3)) > 0.5);

        assertTrue(html.contains("Top Hessian eigenvalue against input length") && html.contains("Hessian trace against input length"));
        for (String name : new String[] {"e1_sharpness", "e1_blowup", "e1_param_norm", "e1_hessian_top_eigenvalue", "e1_hessian_trace", "e2_tradeoff"}) {
            ValidFiles.png(tmp.resolve("plots/" + name + ".png"));
            ValidFiles.svg(tmp.resolve("plots/" + name + ".svg"));
        }
    }

    /** P1's E1 in one report: the long sweep's runs (named as the short sweep's) in their own directory and figures. */
    @Test
    void aSecondSweepGetsItsOwnFiguresRegressionsAndLinks() throws Exception {
        Path higher = tmp.resolve("higher_len");
        for (int n : new int[] {4, 8}) {
            for (int seed = 0; seed < 2; seed++) {
                SyntheticRuns.run(tmp, "parity", n, seed, 1e-4, Map.of("measure/sharpness_x4", 0.1 * n + 0.01 * seed));
            }
        }
        for (int n : new int[] {4, 64, 128}) {
            for (int seed = 0; seed < 2; seed++) {
                SyntheticRuns.run(higher, "majority", n, seed, 1e-4, Map.of("measure/sharpness_x4", 0.05 + 0.01 * seed,
                        "measure/blowup_encoder_maxs_prod", 2.0, "measure/param_norm", 9.0));
            }
        }
        SyntheticRuns.run(tmp, "parity", 4, 7, 0.3, Map.of()); // did not converge
        Path report = SweepReport.writeParts(tmp, List.of(new SweepReport.Part("short", "", SweepReport.runDirs(tmp)),
                new SweepReport.Part("long", "_higher_len", SweepReport.runDirs(higher))), "E1", List.of());
        String html = Files.readString(report);
        assertTrue(html.contains("11 run directories; 10 converged runs enter the figures and tables. Converged: eval MSE &lt; 0.001 "
                + "over 10 fresh eval batches after the last step (P1 evaluates over 1000; fewer make the filter noisier), P1&#39;s "
                + "filter."), "the filter names the evaluation it reads");
        assertTrue(html.contains("<li>short: 1 runs did not converge"), "exclusions name their sweep");
        assertTrue(html.contains("<h2>Sharpness (×4) against input length (long)</h2>"));
        assertTrue(html.contains("higher_len/majority-n64-s1/report.html"), "the interactive chart links the run below its sweep");
        assertTrue(html.contains("<td>higher_len/majority-n4-s0</td>"), "the runs table names the run with its sweep");
        Matcher majority = row(html, "majority");
        assertTrue(majority.find());
        assertEquals(0, Double.parseDouble(majority.group(1)), 1e-12, "majority is flat up to n = 128");
        assertEquals("6", majority.group(4));
        ValidFiles.png(tmp.resolve("plots/e1_sharpness.png"));
        for (String name : new String[] {"e1_sharpness_higher_len", "e1_blowup_higher_len", "e1_param_norm_higher_len", "e2_tradeoff_higher_len"}) {
            ValidFiles.png(tmp.resolve("plots/" + name + ".png"));
            ValidFiles.svg(tmp.resolve("plots/" + name + ".svg"));
        }
        assertFalse(Files.exists(tmp.resolve("plots/e1_blowup.png")), "the short sweep measured no blowup");
    }

    /** A slice cut off while measuring: its converged runs without measurements stay out of the figures and are named. */
    @Test
    void convergedRunsNotYetMeasuredAreCountedApart() throws Exception {
        for (int n : new int[] {4, 8, 12}) {
            SyntheticRuns.run(tmp, "mean", n, 0, 1e-5, Map.of("measure/sharpness_x4", 0.1 * n, "measure/param_norm", 5.0));
        }
        SyntheticRuns.run(tmp, "mean", 16, 0, 1e-5, Map.of());
        SyntheticRuns.run(tmp, "mean", 16, 1, 1e-5, Map.of());
        List<Path> runs = SweepReport.runDirs(tmp);
        String line = SweepReport.summary(runs);
        assertTrue(line.startsWith("E1: 5 of 5 runs converged (2 not measured yet); sharpness slope per unit n: mean 0.1000 (p "), line);
        String html = Files.readString(SweepReport.write(tmp, runs, "E1", List.of()));
        assertTrue(html.contains("5 run directories; 3 converged runs enter the figures and tables."), "the unmeasured runs stay out");
        assertTrue(html.contains("<li>2 converged runs are not measured yet (no measurements.json): mean-n16-s0, mean-n16-s1</li>"));
        assertTrue(html.contains("<tr><td class=\"num\">16</td><td>2 of 2</td></tr>"), "runs awaiting measurement passed the filter");
        Matcher mean = row(html, "mean");
        assertTrue(mean.find());
        assertEquals(0.1, Double.parseDouble(mean.group(1)), 1e-9);
        assertEquals("3", mean.group(4));
        // a sweep that measured nothing (the `report` command over plain training runs) reads the summary's norm instead
        Path plain = tmp.resolve("plain");
        SyntheticRuns.run(plain, "mean", 4, 0, 1e-5, Map.of());
        SyntheticRuns.run(plain, "mean", 8, 0, 1e-5, Map.of());
        String plainHtml = Files.readString(SweepReport.write(plain, SweepReport.runDirs(plain), "plain", List.of()));
        assertTrue(plainHtml.contains("2 run directories; 2 converged runs enter the figures and tables."));
        assertFalse(plainHtml.contains("not measured yet"));
    }

    /** The first regression row of a function; groups: slope, r, p, runs (the intercept is skipped). */
    private static Matcher row(String html, String task) {
        String num = "<td class=\"num\">([^<]*)</td>";
        return Pattern.compile("<tr><td>" + task + "</td>" + num + "<td class=\"num\">[^<]*</td>" + num + num + num).matcher(html);
    }
}
