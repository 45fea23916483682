package org.biaslab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code biaslab} command line. */
@Command(name = "biaslab", mixinStandardHelpOptions = true, version = "biaslab 0.1.0",
        description = "A laboratory for the inductive biases of transformers.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
