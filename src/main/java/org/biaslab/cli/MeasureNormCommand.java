package org.biaslab.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.biaslab.experiment.p1.RunMeasurements;
import org.biaslab.probe.ParameterNorm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code biaslab measure norm}: the parameter norm of a run's latest checkpoint (docs/papers.md §P1.6). */
@Command(name = "norm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Parameter norm ||theta||_2 of the latest checkpoint, without the parameters matching --exclude (P1: positional embeddings).")
final class MeasureNormCommand implements Callable<Integer> {
    @Mixin MeasureCommand.Target target;

    @Option(names = "--exclude", defaultValue = ParameterNorm.P1_EXCLUDE,
            description = "regex: parameters whose name contains a match are left out ('' for none). Default: ${DEFAULT-VALUE}.")
    String exclude;

    @Override
    public Integer call() throws Exception {
        RunMeasurements.LoadedRun run = target.load();
        double[] sq = ParameterNorm.squared(run.model(), exclude);
        Map<String, double[]> values = new LinkedHashMap<>();
        values.put("param_norm", new double[] {Math.sqrt(sq[0])});
        values.put("squared_param_norm", sq);
        if (target.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("step", run.step());
            out.put("exclude", exclude);
            values.forEach((k, v) -> out.put("measure/" + k, v[0]));
            System.out.println(BoolfnCommand.JSON.writeValueAsString(out));
        } else {
            System.out.printf("%s: step %d, excluding /%s/%n", target.runDir, run.step(), exclude);
            MeasureCommand.printTable(values);
        }
        return 0;
    }
}
