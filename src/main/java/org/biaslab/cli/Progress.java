package org.biaslab.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The command line's progress bars, on stderr: redrawn in place twice a second in a terminal; elsewhere (a file, a
 * pipe, CI) silent until the bar closes, then one line with its final state. The launcher says whether stderr is a
 * terminal ({@code -Dbiaslab.tty}), since the JVM sees the pipe that filters its warnings.
 */
final class Progress {
    private Progress() {}

    /** A bar for {@code max} units of {@code task}. */
    static ProgressBar bar(String task, long max) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII);
        return terminal() ? b.setUpdateIntervalMillis(500).continuousUpdate().build()
                : b.setUpdateIntervalMillis(60_000).setConsumer(new FinalLine(System.err)).build();
    }

    static boolean terminal() {
        String tty = System.getProperty("biaslab.tty");
        if (tty != null) return Boolean.parseBoolean(tty);
        return System.console() != null && System.console().isTerminal();
    }

    /** Keeps the latest rendering and prints it once, when the bar closes. */
    private static final class FinalLine implements ProgressBarConsumer {
        private final PrintStream out;
        private final int width = 100;
        private String last;

        FinalLine(PrintStream out) {
            this.out = out;
        }

        @Override
        public int getMaxRenderedLength() {
            return width;
        }

        @Override
        public void accept(String rendered) {
            last = rendered;
        }

        @Override
        public void close() {
            if (last != null) out.println(last.strip());
            out.flush();
        }
    }
}
