package org.biaslab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.biaslab.experiment.p3.LmRunConfig;
import org.biaslab.experiment.p3.LmTraining;
import org.biaslab.experiment.p3.NormGrid;
import org.biaslab.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code biaslab lm grid}: the change of the encoder's parameter norm after one epoch over a log grid of (η, λ). */
@Command(name = "grid", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One epoch per (learning rate, weight decay) on a log grid from 1e-1 to 1e-5 (the reference's grid.py);",
                "writes lr,wd,norm_before,norm_after,delta as CSV (the encoder's norm: embeddings and classifier excluded)."})
public final class LmGridCommand implements Callable<Integer> {
    @Mixin
    LmOptions options;

    @Option(names = "--optimizer", description = "adamw or sgd (default adamw)", defaultValue = "adamw") String optimizer;
    @Option(names = "--points", description = "grid points per axis (default ${DEFAULT-VALUE}, the reference's)", defaultValue = "20") int points;
    @Option(names = "--ensemble", description = "most cells trained together (default ${DEFAULT-VALUE})", defaultValue = "20") int ensemble;
    @Option(names = "--out", required = true, description = "CSV file to write") Path out;

    @Override
    public Integer call() throws Exception {
        LmRunConfig c = options.config(Map.of("epochs", 1, "optimizer", optimizer));
        double[] grid = NormGrid.logGrid(points);
        NormGrid.Result r = NormGrid.run(c, optimizer, grid, grid, LmTraining.ENCODER, ensemble, options.device(),
                (done, all) -> System.out.printf("%d/%d cells%n", done, all), out.resolveSibling(out.getFileName() + ".partial.json"));
        StringBuilder csv = new StringBuilder("lr,wd,norm_before,norm_after,delta\n");
        int growing = 0;
        for (int i = 0; i < grid.length; i++) {
            for (int j = 0; j < grid.length; j++) {
                csv.append(String.format("%.6g,%.6g,%.8g,%.8g,%.8g%n", grid[i], grid[j], r.before()[i][j], r.after()[i][j], r.delta(i, j)));
                if (r.delta(i, j) > 0) growing++;
            }
        }
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, csv);
        System.out.printf("%s: the norm grew in %d of %d cells%n", out, growing, grid.length * grid.length);
        return 0;
    }
}
