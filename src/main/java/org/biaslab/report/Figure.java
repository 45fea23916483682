package org.biaslab.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Charts laid out as a grid of equal panels (one chart, 2×2, 4 stacked, …), rendered to PNG at twice the panel's
 * point size so that text stays sharp, and to SVG.
 */
public final class Figure {
    private static final int PNG_SCALE = 2;
    private final List<Chart<?, ?>> panels;
    private final int columns;

    private Figure(List<? extends Chart<?, ?>> panels, int columns) {
        if (panels.isEmpty()) throw new IllegalArgumentException("figure: no panels");
        if (columns < 1) throw new IllegalArgumentException("figure: columns must be positive, got " + columns);
        this.panels = List.copyOf(panels);
        this.columns = Math.min(columns, panels.size());
    }

    /** A figure of one chart. */
    public static Figure of(Chart<?, ?> chart) {
        return new Figure(List.of(chart), 1);
    }

    /** Panels filled row by row, {@code columns} per row: {@code grid(2, four)} is 2×2, {@code grid(1, four)} stacks them. */
    public static Figure grid(int columns, List<? extends Chart<?, ?>> panels) {
        return new Figure(panels, columns);
    }

    public int width() {
        return columns * Style.WIDTH;
    }

    public int height() {
        return (panels.size() + columns - 1) / columns * Style.HEIGHT;
    }

    private void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        for (int i = 0; i < panels.size(); i++) {
            Graphics2D panel = (Graphics2D) g.create();
            panel.translate(i % columns * Style.WIDTH, i / columns * Style.HEIGHT);
            panels.get(i).paint(panel, Style.WIDTH, Style.HEIGHT);
            panel.dispose();
        }
    }

    /** The figure as a PNG file's bytes. */
    public byte[] png() {
        BufferedImage image = new BufferedImage(width() * PNG_SCALE, height() * PNG_SCALE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.scale(PNG_SCALE, PNG_SCALE);
        paint(g);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The figure as an SVG document's bytes (UTF-8). */
    public byte[] svg() {
        VectorGraphics2D g = new VectorGraphics2D();
        paint(g);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width(), height())).writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes {@code dir/name.png} and {@code dir/name.svg}; returns the PNG's bytes (for embedding). */
    public byte[] save(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        byte[] png = png();
        Files.write(dir.resolve(name + ".png"), png);
        Files.write(dir.resolve(name + ".svg"), svg());
        return png;
    }
}
