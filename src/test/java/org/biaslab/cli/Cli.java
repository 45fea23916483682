package org.biaslab.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line as a user would, in process: the exit code and what went to stderr. */
final class Cli {
    private Cli() {}

    /** {exit code, stderr stripped of surrounding blanks}. */
    static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args);
        return new String[] {Integer.toString(code), err.toString().strip()};
    }
}
