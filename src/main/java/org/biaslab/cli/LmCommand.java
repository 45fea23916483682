package org.biaslab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code biaslab lm}: P3's language models on real text (docs/lm.md). */
@Command(name = "lm", mixinStandardHelpOptions = true,
        description = {"P3's causal transformer language models on a text corpus: training with norm tracking, "
                + "and the learning-rate x weight-decay norm grid (docs/lm.md)."},
        subcommands = {LmTrainCommand.class, LmGridCommand.class})
public final class LmCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
