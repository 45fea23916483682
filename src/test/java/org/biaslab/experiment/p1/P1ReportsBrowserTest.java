package org.biaslab.experiment.p1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.report.Browser;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * E3's, E4's and E5's pages in a real browser ({@link Browser}), from made-up runs: no console error, no request, a
 * run per line or point of each interactive chart, a legend toggle hides its series, a hover names the run and its
 * report exists.
 */
class P1ReportsBrowserTest {
    @TempDir
    Path tmp;

    @Test
    void e3DrawsALinePerConvergedRunInEveryPanel() throws Exception {
        Browser.assumeInstalled();
        Dynamics e3 = new Dynamics(6, List.of(new Dynamics.Sweep(1000, List.of(0.1))), List.of(0L, 1L, 2L), RunConfig.defaults(),
                100, 64, 5, 100, 300);
        List<Trainer.Run> runs = new ArrayList<>();
        long[] convergeAt = {300, 500, Long.MAX_VALUE};
        for (int s = 0; s < 3; s++) {
            RunConfig c = e3.runs().get(s);
            Trainer.Run run = RunQueue.prepare(tmp.resolve(Dynamics.group(c)), List.of(c)).get(0);
            for (long step = 100; step <= 1000; step += 100) {
                long after = step - convergeAt[s];
                Map<String, Object> m = new LinkedHashMap<>(Map.of("step", step, "train/loss", 0.2, "dynamic/loss", after >= 0 ? 0.001 : 0.2,
                        "dynamic/sharpness", 0.01 * (s + 1), "dynamic/blowup_encoder_maxs_prod", 1.0 + Math.max(0, after) / 100.0,
                        "dynamic/squared_param_norm", 400.0));
                run.dir().log(m);
            }
            // P1's filter: the final eval loss of the two converged runs is below 0.001, the third's is not
            run.dir().writeSummary(Map.of("steps", 1000, "eval/loss", convergeAt[s] == Long.MAX_VALUE ? 0.2 : 5e-4));
            runs.add(run);
        }
        DynamicsReport.write(tmp, e3, runs, 0);
        List<Browser.Chart> charts = Browser.open(tmp.resolve("report.html"));
        assertEquals(1, charts.size(), "one chart per steps and weight decay");
        Browser.Chart c = charts.get(0);
        // two converged runs of 10 logged steps and the mean (x from −200 to 500: 8 points), in each of 4 panels
        assertEquals(List.of("parity-n6-s0", "parity-n6-s1", "mean"), c.legend());
        assertEquals(4 * (10 + 10 + 8), c.points());
        assertEquals(c.declared(), c.points());
        List<String> tip = Browser.hover(0, 0, 0);
        assertTrue(tip.get(0).startsWith("parity-n6-s0\nSteps after convergence -200\nLoss 0.2"), tip.get(0));
        assertTrue(Files.isRegularFile(tmp.resolve(tip.get(1))), tip.get(1) + " exists");
        assertEquals(List.of("parity-n6-s1", "mean", "parity-n6-s1", "mean", "parity-n6-s1", "mean", "parity-n6-s1", "mean"),
                Browser.toggle(0, "parity-n6-s0"), "a run hidden in every panel");
    }

    @Test
    void e4DrawsAPointPerKeptRunInEachOfItsFourPanels() throws Exception {
        Browser.assumeInstalled();
        RunConfig base = RunConfig.defaults().with(Map.of("scratchpad", true, "n", 4, "steps", 30));
        List<RunConfig> configs = new ArrayList<>();
        for (int n : new int[] {4, 8}) for (long seed = 0; seed < 2; seed++) configs.add(base.with(Map.of("n", n, "seed", seed, "maxLen", 8)));
        List<Trainer.Run> runs = RunQueue.prepare(tmp, configs);
        for (int i = 0; i < runs.size(); i++) {
            new ObjectMapper().writeValue(runs.get(i).dir().path().resolve("measurements.json").toFile(), Map.of(
                    "measure/autoregressive_accuracy", i == 3 ? 0.5 : 1.0, "measure/sharpness_x4", 0.1 + i,
                    "measure/blowup_encoder_maxs_prod", 2.0 + i, "measure/blowup_decoder_maxs_prod", 3.0 + i, "measure/param_norm", 20.0 + i));
        }
        ScratchpadReport.Outcome outcome = ScratchpadReport.write(tmp, runs, 0);
        List<Browser.Chart> charts = Browser.open(tmp.resolve("report.html"));
        assertEquals(1, charts.size());
        assertEquals(4 * outcome.kept(), charts.get(0).points(), "each kept run once per quantity");
        assertEquals(3, outcome.kept());
        List<String> tip = Browser.hover(0, 0, 0);
        assertTrue(tip.get(0).startsWith(runs.getFirst().dir().path().getFileName() + "\nn 4, seed 0"), tip.get(0));
        assertTrue(Files.isRegularFile(tmp.resolve(tip.get(1))), tip.get(1) + " exists");
        assertEquals(List.of(), Browser.toggle(0, "scratchpad"));
    }

    @Test
    void e5DrawsAPointPerKeptRefit() throws Exception {
        Browser.assumeInstalled();
        Generalisation e5 = Generalisation.quick();
        List<Generalisation.Outcome> outcomes = List.of(new Generalisation.Outcome("rf-t0-s0", 256, 0, 0, true, 3.7, 5.0),
                new Generalisation.Outcome("rf-t1-s0", 256, 1, 0, true, 3.8, 4.9));
        List<Generalisation.Refit> refits = List.of(
                new Generalisation.Refit("refit-learned-rf-t0-s0-r0", false, 256, "rf-t0-s0", 0, 0.01, 3.7, 0.06, 0.05),
                new Generalisation.Refit("refit-random-rf-t0-s0-r0", true, 256, "rf-t0-s0", 0, 0.02, 5.0, 0.05, Double.NaN),
                new Generalisation.Refit("refit-learned-rf-t1-s0-r0", false, 256, "rf-t1-s0", 0, 0.01, 3.8, 0.07, 0.06));
        Map<String, RunConfig> named = new LinkedHashMap<>();
        for (Generalisation.Refit r : refits) named.put(r.run(), RunConfig.defaults().with(Map.of("n", 10)));
        RunQueue.prepare(tmp, new java.util.LinkedHashMap<>(named));
        Path report = GeneralisationReport.write(e5, tmp, outcomes, refits, 0);
        List<Browser.Chart> charts = Browser.open(report);
        assertEquals(1, charts.size());
        assertEquals(refits.size(), charts.get(0).points(), "a point per refit (every refit is kept at this scale)");
        assertEquals(List.of("Train size: 256 samples", GeneralisationReport.RANDOM), charts.get(0).legend());
        List<String> tip = Browser.hover(0, 1, 0);
        assertTrue(tip.get(0).startsWith("refit-random-rf-t0-s0-r0\nfits rf-t0-s0 (Random function)"), tip.get(0));
        assertTrue(Files.isRegularFile(tmp.resolve(tip.get(1))), tip.get(1) + " exists");
        assertEquals(List.of(GeneralisationReport.RANDOM), Browser.toggle(0, "Train size: 256 samples"));
    }
}
