package org.biaslab.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.biaslab.boolfn.BooleanFunction;
import org.biaslab.boolfn.Estimate;
import org.biaslab.boolfn.RealFunction;
import org.biaslab.boolfn.SampledSensitivity;
import org.biaslab.boolfn.SensitivityProfile;
import org.biaslab.boolfn.TruthTable;
import org.biaslab.experiment.p1.RunMeasurements;
import org.biaslab.nn.P1Transformer;
import org.biaslab.probe.LearnedSensitivity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code biaslab measure sensitivity}: the average sensitivity of the function a run has learned, beside its target's. */
@Command(name = "sensitivity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Average sensitivity of the learned function (outputs > 0.5) and of the raw outputs, beside the target's.",
                "Exact over all 2^n inputs for n <= " + LearnedSensitivity.MAX_EXACT_N + "; --samples K estimates from K random inputs (any n)."})
final class MeasureSensitivityCommand implements Callable<Integer> {
    @Mixin MeasureCommand.Target target;

    @Option(names = "--samples", paramLabel = "K", description = "estimate from K random inputs instead of all 2^n")
    Long samples;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the sampled inputs. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--batch", defaultValue = "4096", description = "model inputs per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        RunMeasurements.LoadedRun run = target.load();
        if (!(run.model() instanceof P1Transformer model)) {
            throw new IllegalArgumentException(target.runDir + " is a scratchpad run: its n outputs are not one Boolean function");
        }
        int n = run.config().n();
        if (samples == null && n > LearnedSensitivity.MAX_EXACT_N) {
            throw new IllegalArgumentException("exact sensitivity evaluates all 2^n inputs: n = " + n + " is above "
                    + LearnedSensitivity.MAX_EXACT_N + "; use --samples K");
        }
        LearnedSensitivity learned = samples == null ? LearnedSensitivity.exact(n, LearnedSensitivity.of(model), batch)
                : LearnedSensitivity.sampled(n, LearnedSensitivity.of(model), samples, seed, batch);
        Estimate targetSensitivity = target(run.task().targets().get(0));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("step", run.step());
        out.put("n", n);
        out.put("method", samples == null ? "exact" : "sampled");
        if (samples != null) {
            out.put("samples", samples);
            out.put("seed", seed);
        }
        put(out, "learned_sensitivity", learned.thresholded());
        put(out, "learned_sensitivity_raw", learned.raw());
        put(out, "target_sensitivity", targetSensitivity);
        if (target.json) {
            System.out.println(BoolfnCommand.JSON.writeValueAsString(out));
            return 0;
        }
        System.out.printf("%s: step %d, n = %d, %s%n", target.runDir, run.step(), n,
                samples == null ? "exact over all 2^" + n + " inputs" : samples + " sampled inputs (seed " + seed + "), 95% intervals");
        print("learned (outputs > 0.5)", learned.thresholded());
        print("learned (raw outputs)", learned.raw());
        print("target " + run.config().task(), targetSensitivity);
        return 0;
    }

    /** The target's sensitivity, exact or sampled like the learned one. */
    private Estimate target(RealFunction f) {
        if (samples != null) return SampledSensitivity.estimate(f, samples, seed).averageSensitivity();
        double as = f instanceof BooleanFunction b ? SensitivityProfile.of(TruthTable.of(b)).averageSensitivity()
                : SensitivityProfile.of(f).averageSensitivity();
        return new Estimate(as, 0);
    }

    private void put(Map<String, Object> out, String key, Estimate e) {
        out.put("measure/" + key, e.mean());
        if (samples != null) out.put("measure/" + key + "_halfwidth", e.halfWidth());
    }

    private static void print(String what, Estimate e) {
        System.out.printf("  %-26s %.6g%s%n", what, e.mean(), e.halfWidth() == 0 ? "" : String.format(" ± %.3g", e.halfWidth()));
    }
}
