package org.biaslab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.biaslab.report.RunReport;
import org.biaslab.report.SweepReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Writes the HTML report of a run directory, or of a directory of run directories (a sweep). */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write report.html (and plots/*.png, *.svg) for a run directory, or for a directory of runs.",
                "A sweep's report plots each measurement against n per function, over the converged runs."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "a run directory (holding config.json) or a directory of run directories")
    Path path;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(path)) throw new IllegalArgumentException(path + " is not a directory");
        Path written;
        if (Files.isRegularFile(path.resolve("config.json"))) {
            written = RunReport.write(path);
        } else {
            List<Path> runs = SweepReport.runDirs(path);
            if (runs.isEmpty()) throw new IllegalArgumentException(path + " holds no config.json and no run directories with one");
            written = SweepReport.write(path, runs, "Sweep " + path.toAbsolutePath().normalize().getFileName() + " (" + runs.size() + " runs)", List.of());
        }
        System.out.println("report: " + written);
        return 0;
    }
}
