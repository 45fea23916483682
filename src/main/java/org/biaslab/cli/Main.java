package org.biaslab.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code biaslab} command line. */
@Command(name = "biaslab", mixinStandardHelpOptions = true, version = "biaslab 0.1.0",
        description = "A laboratory for the inductive biases of transformers.",
        subcommands = {CommandLine.HelpCommand.class, DemoCommand.class, BoolfnCommand.class, BenchCommand.class, TrainCommand.class, SweepCommand.class, MeasureCommand.class, ReportCommand.class, ReproduceCommand.class, AnalyseCommand.class, LmCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** biaslab's configured command line (see {@link #commandLine(Object)}). */
    static CommandLine commandLine() {
        return commandLine(new Main());
    }

    /**
     * The command line of {@code command} (biaslab's, or a command of a project built on it such as the Spark sweep):
     * bad input (arguments, files, shapes) is reported in one line, exit code 2.
     */
    public static CommandLine commandLine(Object command) {
        return new CommandLine(command).setParameterExceptionHandler((ex, args) -> {
            // an unknown option or a value of the wrong type: one line, not the whole usage
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(ex) + " (see --help)");
            return 2;
        }).setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IOException || ex instanceof UncheckedIOException
                    || ex instanceof IllegalStateException || ex instanceof IndexOutOfBoundsException
                    || ex instanceof org.biaslab.tensor.cuda.CudaException || ex instanceof UnsupportedOperationException) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(ex));
                return 2;
            }
            throw ex;
        });
    }

    /** The error's message as one line (see {@link ErrorMessage}). */
    static String oneLine(Exception ex) {
        return ErrorMessage.of(ex);
    }
}
