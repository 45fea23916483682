package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report layer's pages (E1's sweep report, E2's tradeoff report) in a real browser ({@link Browser}): no console
 * error, no request, a point per run in each chart, a legend toggle hides its series, hovering shows the run.
 */
class ReportBrowserTest {
    @TempDir
    Path tmp;

    @Test
    void sweepReportLoadsOfflineWithoutErrorsAndItsChartsHaveAPointPerRun() throws Exception {
        Browser.assumeInstalled();
        int runs = 0;
        for (int n : new int[] {4, 8}) {
            for (int seed = 0; seed < 3; seed++, runs += 2) {
                SyntheticRuns.run(tmp, "parity", n, seed, 1e-4, Map.of("measure/sharpness_x4", 0.1 * n + seed,
                        "measure/blowup_encoder_maxs_prod", 2.0 + n, "measure/param_norm", 40.0 + seed));
                SyntheticRuns.run(tmp, "majority", n, seed, 1e-4, Map.of("measure/sharpness_x4", 0.2,
                        "measure/blowup_encoder_maxs_prod", 3.0, "measure/param_norm", 30.0 + seed));
            }
        }
        List<Browser.Chart> charts = Browser.open(SweepReport.write(tmp, SweepReport.runDirs(tmp), "E1", List.of()));
        assertEquals(3, charts.size(), "an interactive chart per quantity");
        for (Browser.Chart c : charts) {
            assertEquals(runs, c.points(), c.title() + ": a point per run");
            assertEquals(c.declared(), c.points(), c.title() + ": as many as the page says");
        }
        assertEquals(List.of("majority"), Browser.toggle(0, "parity"), "parity is hidden after its legend entry is toggled");

        // hovering a point shows its run; clicking it would open the run's report, which exists
        List<String> tip = Browser.hover(1, 0, 0);
        assertTrue(tip.get(0).startsWith("majority-n4-s0"), tip.get(0));
        assertTrue(Files.isRegularFile(tmp.resolve(tip.get(1))), tip.get(1) + " exists");
    }

    @Test
    void tradeoffReportHasAPointPerConvergedRunLinkedToItsReport() throws Exception {
        Browser.assumeInstalled();
        List<Path> dirs = new java.util.ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            dirs.add(SyntheticRuns.run(tmp, "parity", 4, seed, 1e-5, Map.of("measure/blowup_encoder_maxs_prod", 4.0 + seed, "measure/param_norm", 30.0)));
            dirs.add(SyntheticRuns.run(tmp, "first", 6, seed, 1e-5, Map.of("measure/blowup_encoder_maxs_prod", 1.5, "measure/param_norm", 20.0 + seed)));
        }
        dirs.add(SyntheticRuns.run(tmp, "parity", 6, 9, 0.3, Map.of("measure/blowup_encoder_maxs_prod", 99.0, "measure/param_norm", 9.0)));
        TradeoffReport.Summary s = TradeoffReport.write(tmp, dirs, 0, List.of(4, 6), "E2");
        List<Browser.Chart> charts = Browser.open(s.report());
        assertEquals(1, charts.size());
        assertEquals(s.converged(), charts.get(0).points(), "a point per converged run");
        assertEquals(List.of("parity", "first"), charts.get(0).legend());
        List<String> tip = Browser.hover(0, 0, 0);
        assertTrue(tip.get(0).startsWith("parity-n4-s0\nparity, n 4, seed 0"), tip.get(0));
        assertTrue(Files.isRegularFile(tmp.resolve(tip.get(1))), tip.get(1) + " exists");
        assertEquals(List.of("first"), Browser.toggle(0, "parity"));
        assertFalse(Files.exists(tmp.resolve(dirs.getLast().getFileName()).resolve("report.html")), "no report for a run that is not drawn");
    }
}
