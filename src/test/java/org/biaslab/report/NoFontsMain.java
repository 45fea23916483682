package org.biaslab.report;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link FontsTest} runs in a JVM that sees no system font: {@code control} draws a string in a logical font
 * without the report layer (the JDK alone), {@code report DIR} writes the report of a made-up run in DIR.
 */
public final class NoFontsMain {
    private NoFontsMain() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("control")) {
            System.setProperty("java.awt.headless", "true");
            Graphics2D g = new BufferedImage(100, 20, BufferedImage.TYPE_INT_RGB).createGraphics();
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("text", 2, 15);
            return;
        }
        Path run = SyntheticRuns.run(Path.of(args[1]), "parity", 4, 0, 1e-4, Map.of());
        RunReport.write(run);
        System.out.println(Fonts.sans(12).getFontName());
    }
}
