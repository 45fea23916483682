package org.biaslab.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file is not in the format it claims to be. The message is one line, {@code "<file>: <problem>"}.
 *
 * <p>An {@link IOException} (like {@link java.util.zip.ZipException}) so that a caller handles a missing file and a
 * malformed one in the same place.
 */
public final class FormatException extends IOException {
    public FormatException(Path file, String problem) {
        super(file + ": " + oneLine(problem));
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + oneLine(problem), cause);
    }

    /** {@code s} on one line: its line breaks (say in a key quoted from the file) escaped as {@code \r} and {@code \n}. */
    public static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
