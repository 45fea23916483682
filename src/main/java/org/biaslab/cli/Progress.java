package org.biaslab.cli;

import java.io.PrintStream;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The command line's progress bars, on stderr: redrawn in place twice a second in a terminal; elsewhere (a file, a
 * pipe, a Slurm log, CI) a line a minute while the work lasts, none for work done within the first minute, and a line
 * with the final state when the bar closes. The launcher says whether stderr is a terminal ({@code -Dbiaslab.tty}),
 * since the JVM sees the pipe that filters its warnings.
 */
final class Progress {
    private Progress() {}

    /** A bar for {@code max} units of {@code task}. */
    static ProgressBar bar(String task, long max) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII);
        return terminal() ? b.setUpdateIntervalMillis(500).continuousUpdate().build()
                : b.setUpdateIntervalMillis(1000).setConsumer(new LogLines(System.err, LOG_EVERY_MILLIS, System::currentTimeMillis)).build();
    }

    /** How often a bar writes a line where stderr is not a terminal. */
    static final long LOG_EVERY_MILLIS = 60_000;

    static boolean terminal() {
        String tty = System.getProperty("biaslab.tty");
        if (tty != null) return Boolean.parseBoolean(tty);
        return System.console() != null && System.console().isTerminal();
    }

    /**
     * Prints the latest rendering once {@code every} milliseconds have passed since the bar started or since the last
     * line, and the final rendering when the bar closes (unless that line was it).
     */
    static final class LogLines implements ProgressBarConsumer {
        private final PrintStream out;
        private final int width = 100;
        private final long every;
        private final LongSupplier clock;
        private long printed; // when the last line was printed (or the bar started)
        private String last, lastPrinted;

        LogLines(PrintStream out, long every, LongSupplier clock) {
            this.out = out;
            this.every = every;
            this.clock = clock;
            this.printed = clock.getAsLong();
        }

        @Override
        public int getMaxRenderedLength() {
            return width;
        }

        @Override
        public void accept(String rendered) {
            last = rendered;
            long now = clock.getAsLong();
            if (now - printed < every) return;
            printed = now;
            lastPrinted = rendered;
            out.println(rendered.strip());
            out.flush();
        }

        @Override
        public void close() {
            if (last != null && !last.equals(lastPrinted)) out.println(last.strip()); // not twice when the last line was it
            out.flush();
        }
    }
}
