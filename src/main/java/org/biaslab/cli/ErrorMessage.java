package org.biaslab.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The one-line message of an error the command line reports. The JDK's file-system exceptions carry only the path
 * when the operating system gives no reason ({@code AccessDeniedException: runs/x/latest}); this says what happened,
 * as {@code ls} would: "runs/x/latest: permission denied". A library's message of several lines is joined into one;
 * an error without a message is named by its class.
 */
final class ErrorMessage {
    private ErrorMessage() {}

    static String of(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) return of(u.getCause());
        if (ex instanceof FileSystemException f && f.getReason() == null && f.getFile() != null) {
            String what = switch (f) {
                case AccessDeniedException a -> "permission denied";
                case NoSuchFileException n -> "no such file or directory";
                case FileAlreadyExistsException a -> "exists already";
                case DirectoryNotEmptyException d -> "directory not empty";
                case NotDirectoryException d -> "not a directory";
                default -> "file system error (" + f.getClass().getSimpleName() + ")";
            };
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + what;
        }
        String m = ex.getMessage();
        if (m == null || m.isBlank()) return ex.getClass().getSimpleName();
        return m.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(java.util.stream.Collectors.joining(" "));
    }
}
