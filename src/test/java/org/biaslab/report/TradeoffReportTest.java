package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TradeoffReportTest {
    @TempDir
    Path tmp;

    private static Map<String, Double> measured(double blowup, double norm) {
        return Map.of("measure/blowup_encoder_maxs_prod", blowup, "measure/param_norm", norm);
    }

    @Test
    void aSearchNotStartedGivesAReportSayingSo() throws Exception {
        TradeoffReport.Summary s = TradeoffReport.write(tmp.resolve("e2"), List.of(), 3, List.of(5), "E2 test");
        assertEquals("E2: 0 of 0 runs converged (0 excluded)", s.line());
        assertTrue(Files.readString(s.report()).contains("3 of the search&#39;s 3 runs not started"));
    }

    @Test
    void onlyRunsBelowTheLossFilterEnterAndTheOthersAreCountedPerFunction() throws Exception {
        List<Path> dirs = new ArrayList<>();
        // parity: blowup 4, 8 (converged) and 1000 (eval loss 0.002: excluded); majority: blowup 1, 2
        dirs.add(SyntheticRuns.run(tmp, "parity", 5, 0, 1e-5, measured(4, 30)));
        dirs.add(SyntheticRuns.run(tmp, "parity", 5, 1, 5e-4, measured(8, 20)));
        dirs.add(SyntheticRuns.run(tmp, "parity", 10, 2, 2e-3, measured(1000, 10)));
        dirs.add(SyntheticRuns.run(tmp, "majority", 5, 0, 1e-6, measured(1, 18)));
        dirs.add(SyntheticRuns.run(tmp, "majority", 10, 1, 1e-6, measured(2, 18)));
        TradeoffReport.Summary s = TradeoffReport.write(tmp, dirs, 0, List.of(5, 10), "E2 test");
        assertEquals(5, s.runs());
        assertEquals(4, s.converged());
        assertEquals(Map.of(5, Map.of("parity", 6.0, "majority", 1.0), 10, Map.of("majority", 2.0)), s.medianBlowup());
        assertEquals("E2: 4 of 5 runs converged (1 excluded); median LayerNorm blowup at n = 5: parity 6.00, majority 1.00; "
                + "at n = 10: majority 2.00", s.line());
        String html = Files.readString(s.report());
        assertTrue(html.contains("parity: 1 of 3 runs did not converge"), "the excluded run is counted");
        assertTrue(Files.size(tmp.resolve("plots/e2_tradeoff.png")) > 1000 && Files.exists(tmp.resolve("plots/e2_by_length.svg")));
        // parity's norm falls as its blowup rises (30 at 4, 20 at 8): the regression of norm on log10 blowup is -10/log10(2)
        assertTrue(html.contains(Numbers.format(-10 / Math.log10(2))), "the frontier's slope is reported");
    }
}
