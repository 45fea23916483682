package org.biaslab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.biaslab.probe.norm.GrowthFit;
import org.biaslab.probe.norm.NormTrajectory;
import org.biaslab.probe.norm.ParameterNorms;
import org.biaslab.train.RunDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code biaslab measure norms}: P3's parameter norm over a run's checkpoints (kept with {@code train
 * --keep-checkpoints}), the direction change and update alignment between consecutive ones, and the growth-law fits
 * (docs/p3.md).
 */
@Command(name = "norms", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"P3's parameter norm rho_t over a run's checkpoints (train with --keep-checkpoints), cos(theta_t, theta_t+1), "
                + "cos(delta theta_t, theta_t), per layer, and fits of rho against t, sqrt(t), t^(1/4), exp(-t/t_max) with R^2 (docs/p3.md)."})
final class MeasureNormsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by 'biaslab train --keep-checkpoints'")
    Path runDir;

    @Option(names = "--params", defaultValue = "**",
            description = "glob over parameter names ('*' one segment, '**' any; e.g. 'encoders.**'). Default: ${DEFAULT-VALUE}.")
    String params;

    @Option(names = "--include-scalars", description = "count size-1 parameters too (the reference drops them)")
    boolean includeScalars;

    @Option(names = "--json", description = "print JSON instead of tables")
    boolean json;

    /** What the command reports. */
    record Report(String run, String params, boolean includeScalars, List<NormTrajectory.Point> checkpoints, List<GrowthFit> fits,
                  GrowthFit.Law best) {}

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(runDir.resolve("config.json"))) throw new IllegalArgumentException(runDir + " is not a run directory (no config.json)");
        RunDir dir = new RunDir(runDir);
        List<Long> steps = dir.checkpointSteps();
        if (steps.size() < 3) {
            throw new IllegalArgumentException(runDir + " keeps " + steps.size() + " checkpoint(s); norm growth needs at least 3: train it with --keep-checkpoints");
        }
        ParameterNorms.Selection selection = new ParameterNorms.Selection(params, includeScalars);
        List<NormTrajectory.Point> points = NormTrajectory.of(steps, dir::loadModel, selection);
        double[] t = points.stream().mapToDouble(NormTrajectory.Point::step).toArray();
        double[] rho = points.stream().mapToDouble(NormTrajectory.Point::norm).toArray();
        List<GrowthFit> fits = GrowthFit.all(t, rho);
        Report r = new Report(runDir.toString(), params, includeScalars, points, fits, GrowthFit.best(fits).law());
        if (json) System.out.println(MeasureSaturationCommand.SNAKE_JSON.writeValueAsString(r));
        else print(r);
        return 0;
    }

    private static void print(Report r) {
        System.out.printf("%s: %d checkpoints, parameters %s%s%n", r.run(), r.checkpoints().size(), r.params(),
                r.includeScalars() ? " (scalars included)" : " (scalars left out)");
        System.out.printf("%n%10s %12s %16s %18s%n", "step", "norm", "cos(θ_t-1, θ_t)", "cos(Δθ, θ_t-1)");
        for (NormTrajectory.Point p : r.checkpoints()) {
            System.out.printf("%10d %12.4f %16s %18s%n", p.step(), p.norm(), format(p.cosPrevious()), format(p.alignment()));
        }
        NormTrajectory.Point first = r.checkpoints().getFirst(), last = r.checkpoints().getLast();
        System.out.printf("%n%-40s %12s %12s %16s %18s%n", "layer", "norm first", "norm last", "cos last step", "alignment last");
        last.layers().forEach((name, l) -> System.out.printf("%-40s %12.4f %12.4f %16s %18s%n", name,
                first.layers().get(name).norm(), l.norm(), format(l.cosPrevious()), format(l.alignment())));
        System.out.printf("%n%-16s %14s %14s %12s%n", "fit rho = a g + b", "a", "b", "R²");
        for (GrowthFit f : r.fits()) {
            System.out.printf("%-16s %14.6g %14.6g %12.6f%s%n", f.law().formula(), f.slope(), f.intercept(), f.r2(), f.law() == r.best() ? "  best" : "");
        }
    }

    private static String format(Double v) {
        return v == null ? "-" : String.format("%.6f", v);
    }
}
