package org.biaslab.report;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The figures' one typeface, DejaVu Sans, read from the jar ({@code net.sf.jasperreports:jasperreports-fonts}, under
 * the Bitstream Vera licence), so that every chart draws the same text on every machine and needs no system font.
 *
 * <p>On first use the font is copied to a temporary file, and unless the user gave one, the JDK's font configuration
 * ({@code sun.awt.fontconfig}) becomes a file that maps every logical font (SansSerif, Dialog, …) to it: without any
 * configuration the JDK cannot start its font manager on a machine without fontconfig fonts ("Fontconfig head is
 * null"), and then no text can be drawn, not even with a font loaded from a file. This must happen before anything
 * else in the process uses AWT fonts; the report layer's charts reach this class first.
 */
final class Fonts {
    /** DejaVu Sans in jasperreports-fonts' jar. */
    static final String RESOURCE = "/net/sf/jasperreports/fonts/dejavu/DejaVuSans.ttf";
    /** The system property naming the JDK's font configuration file. */
    static final String CONFIG = "sun.awt.fontconfig";
    private static final String[] LOGICAL = {"sansserif", "serif", "monospaced", "dialog", "dialoginput"};
    private static final String[] STYLES = {"plain", "bold", "italic", "bolditalic"};
    private static final Font SANS = load();

    private Fonts() {}

    /** DejaVu Sans, plain, at {@code size} points. */
    static Font sans(float size) {
        return SANS.deriveFont(Font.PLAIN, size);
    }

    private static Font load() {
        // the report layer draws into images only; it must work without a display (CI, GPU machines)
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        try {
            Path dir = Files.createTempDirectory("biaslab-fonts");
            dir.toFile().deleteOnExit(); // registered first, deleted last: after the files in it
            Path ttf = dir.resolve("DejaVuSans.ttf");
            try (InputStream in = Fonts.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException("the figures' font is missing from the class path (" + RESOURCE + ")");
                Files.copy(in, ttf);
            }
            ttf.toFile().deleteOnExit();
            if (System.getProperty(CONFIG) == null) {
                Path config = dir.resolve("fontconfig.properties");
                try (OutputStream out = Files.newOutputStream(config)) {
                    configuration(ttf).store(out, "biaslab: every logical font is the bundled DejaVu Sans");
                }
                config.toFile().deleteOnExit();
                System.setProperty(CONFIG, config.toString());
            }
            Font font = Font.createFont(Font.TRUETYPE_FONT, ttf.toFile());
            GraphicsEnvironment.getLocalGraphicsEnvironment().registerFont(font);
            return font;
        } catch (IOException | FontFormatException e) {
            throw new IllegalStateException("cannot load the figures' font: " + e.getMessage(), e);
        }
    }

    /** The JDK's font configuration format (lib/fontconfig.properties) with every logical font and style on {@code ttf}. */
    static Properties configuration(Path ttf) {
        Properties p = new Properties();
        p.setProperty("version", "1");
        for (String family : LOGICAL) for (String style : STYLES) p.setProperty(family + "." + style + ".latin-1", "DejaVu Sans");
        p.setProperty("sequence.allfonts", "latin-1");
        p.setProperty("filename.DejaVu_Sans", ttf.toAbsolutePath().toString());
        return p;
    }
}
