package org.biaslab.probe.landscape;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.biaslab.io.FormatException;

/** Reads back the points of a landscape CSV ({@link Landscape#HEADER}) that a killed measurement left. */
final class GridCsv {
    private GridCsv() {}

    /**
     * Fills loss, accuracy and done from the rows of {@code csv} and returns how many points they hold. A last row
     * without its newline (cut off by a kill) is dropped from the file, so that appending goes on after the last whole
     * row. Rows must lie on {@code grid}: indices in range, coordinates equal to the grid's.
     */
    static int read(Path csv, Grid grid, double[][] loss, double[][] accuracy, boolean[][] done) throws IOException {
        byte[] bytes = Files.readAllBytes(csv);
        int whole = bytes.length;
        while (whole > 0 && bytes[whole - 1] != '\n') whole--;
        if (whole < bytes.length) {
            try (FileChannel ch = FileChannel.open(csv, StandardOpenOption.WRITE)) {
                ch.truncate(whole);
            }
        }
        String[] rows = new String(bytes, 0, whole, StandardCharsets.UTF_8).split("\n");
        if (rows.length == 0 || !rows[0].equals(Landscape.HEADER)) throw new FormatException(csv, "the first line is not '" + Landscape.HEADER + "'");
        int count = 0;
        for (int r = 1; r < rows.length; r++) {
            String[] f = rows[r].split(",");
            try {
                if (f.length != 6) throw new NumberFormatException(f.length + " fields, not 6");
                int i = Integer.parseInt(f[0]), j = Integer.parseInt(f[1]);
                if (i < 0 || i >= grid.alphas().length || j < 0 || j >= grid.betas().length
                        || Double.parseDouble(f[2]) != grid.alphas()[i] || Double.parseDouble(f[3]) != grid.betas()[j]) {
                    throw new FormatException(csv, "row " + (r + 1) + " (" + rows[r] + ") is not a point of this grid");
                }
                if (!done[i][j]) count++;
                done[i][j] = true;
                loss[i][j] = Double.parseDouble(f[4]);
                accuracy[i][j] = Double.parseDouble(f[5]);
            } catch (NumberFormatException e) {
                throw new FormatException(csv, "row " + (r + 1) + " (" + rows[r] + ") does not parse: " + e.getMessage());
            }
        }
        return count;
    }
}
