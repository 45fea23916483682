package org.biaslab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.experiment.p1.RunMeasurements;
import org.biaslab.experiment.p1.RunMeasurements.LoadedRun;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.ParameterNorm;
import org.biaslab.probe.SharpnessConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code biaslab measure}: P1's measurements (sharpness, LN blowup, parameter norm, learned-function sensitivity)
 * of a trained run, read from its latest checkpoint. Definitions: docs/measurements.md.
 */
@Command(name = "measure", mixinStandardHelpOptions = true,
        description = {"Measure a trained run (its latest checkpoint): sharpness, LN blowup, parameter norm, "
                + "learned-function sensitivity, or all of P1's end-of-training measurements (docs/measurements.md); "
                + "P3's norm growth over checkpoints and saturation, also of pretrained models (docs/p3.md); the Hessian's spectrum and trace."},
        subcommands = {MeasureCommand.SharpnessCommand.class, MeasureCommand.BlowupCommand.class, MeasureNormCommand.class,
                MeasureSensitivityCommand.class, MeasureCommand.AllCommand.class, MeasureNormsCommand.class,
                MeasureSaturationCommand.class, MeasureLandscapeCommand.class, MeasureHessianCommand.class})
public final class MeasureCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The run directory and the output format, shared by the subcommands. */
    static final class Target {
        @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by 'biaslab train'")
        Path runDir;

        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda. Default: ${DEFAULT-VALUE}.")
        String device;

        /** The run's latest checkpoint in its model, on the chosen device. */
        LoadedRun load() throws IOException {
            org.biaslab.train.RunQueue.useDevice(org.biaslab.tensor.Device.parse(device));
            return LoadedRun.load(runDir);
        }
    }

    /** The measurement batches: fresh uniform inputs of the run's task, stream 2 of the run's seed. */
    static final class Data {
        @Option(names = "--batches", defaultValue = "20", description = "measurement batches (P1: 1000). Default: ${DEFAULT-VALUE}.")
        int batches;

        @Option(names = "--batch", description = "inputs per batch. Default: the run's training batch (P1: 1024).")
        Integer batch;
    }

    /** The sharpness noise. */
    static final class Noise {
        @Option(names = "--eps", defaultValue = "0.02", description = "noise standard deviation epsilon. Default: ${DEFAULT-VALUE}.")
        double eps;

        @Option(names = "--repeats", defaultValue = "10", description = "noise draws R per batch (P1: 10; 500 for dynamics). Default: ${DEFAULT-VALUE}.")
        int repeats;

        @Option(names = "--seed", defaultValue = "0", description = "noise seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--exclude", defaultValue = ParameterNorm.P1_EXCLUDE,
                description = "regex: parameters whose name contains a match get no noise and are left out of the norm ('' for none). Default: ${DEFAULT-VALUE}.")
        String exclude;

        @Option(names = "--directions", defaultValue = "fixed",
                description = "fixed: the same R directions for every batch (P1's end-of-training quirk); fresh: new ones per batch. Default: ${DEFAULT-VALUE}.")
        String directions;

        SharpnessConfig config() {
            if (!directions.equals("fixed") && !directions.equals("fresh")) throw new IllegalArgumentException("--directions must be fixed or fresh, not " + directions);
            return new SharpnessConfig(eps, repeats, seed, exclude, directions.equals("fixed"));
        }
    }

    @Command(name = "sharpness", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sharpness S = mean_r L(theta + eps xi_r) - L(theta) averaged over batches, raw and x4 (P1's plots), with the loss and accuracy.")
    static final class SharpnessCommand implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin Target target;
        @CommandLine.Mixin Data data;
        @CommandLine.Mixin Noise noise;

        @Override
        public Integer call() throws Exception {
            return measure(target, data, new FinalMeasurements.Plan(false, noise.config(), null), false);
        }
    }

    @Command(name = "blowup", mixinStandardHelpOptions = true, sortOptions = false,
            description = "LayerNorm blowup (maxs/means x prod/sum and per-LN inverse stds) averaged over batches, with the loss and accuracy.")
    static final class BlowupCommand implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin Target target;
        @CommandLine.Mixin Data data;

        @Override
        public Integer call() throws Exception {
            return measure(target, data, new FinalMeasurements.Plan(true, null, null), false);
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"All of P1's end-of-training measurements: loss, accuracy, blowup variants, sharpness, parameter norm "
                    + "and norm x blowup; written to RUN_DIR/measurements.json and printed."})
    static final class AllCommand implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin Target target;
        @CommandLine.Mixin Data data;
        @CommandLine.Mixin Noise noise;

        @Override
        public Integer call() throws Exception {
            return measure(target, data, new FinalMeasurements.Plan(true, noise.config(), noise.exclude), true);
        }
    }

    /** Runs a plan over the measurement batches, prints it, and with {@code write} stores measurements.json. */
    private static int measure(Target target, Data data, FinalMeasurements.Plan plan, boolean write) throws IOException {
        LoadedRun run = target.load();
        int batch = data.batch == null ? run.config().batch() : data.batch;
        Map<String, Object> out;
        try (ProgressBar bar = Progress.bar("measure", data.batches)) {
            out = RunMeasurements.measure(run, plan, data.batches, batch, bar::stepTo);
        }
        if (write) RunMeasurements.write(run.dir(), out);
        if (target.json) {
            System.out.println(BoolfnCommand.JSON.writeValueAsString(out));
        } else {
            System.out.printf("%s: step %d, %d batches of %d inputs%s%n", target.runDir, run.step(), data.batches, batch,
                    plan.sharpness() == null ? "" : String.format(", eps %s, R %d, noise seed %d, %s directions",
                            BoolfnCommand.number(plan.sharpness().eps()), plan.sharpness().repeats(), plan.sharpness().seed(),
                            plan.sharpness().fixedDirections() ? "fixed" : "fresh"));
            Map<String, double[]> values = new LinkedHashMap<>();
            out.forEach((k, v) -> {
                if (k.startsWith("measure/")) values.put(k.substring("measure/".length()), new double[] {((Number) v).doubleValue()});
            });
            printTable(values);
            if (write) System.out.println("written to " + run.dir().path().resolve("measurements.json"));
        }
        return 0;
    }

    /** Key and value columns. */
    static void printTable(Map<String, double[]> values) {
        int width = values.keySet().stream().mapToInt(String::length).max().orElse(0);
        values.forEach((k, v) -> System.out.printf("  %-" + width + "s  %.6g%n", k, v[0]));
    }
}
