package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures' text comes from the font in the jar: a report is written, with text in its figures, by a JVM that finds
 * no system font (fontconfig pointed at a configuration without font directories, and a fresh home without the JDK's
 * cached font list), as on the GPU machines; the JDK alone cannot draw text there.
 */
class FontsTest {
    @TempDir
    Path tmp;

    /** Runs {@link NoFontsMain} with {@code args} in a JVM without system fonts; returns its exit code and output. */
    private Result withoutFonts(String... args) throws IOException, InterruptedException {
        Path conf = tmp.resolve("fonts.conf"), home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(conf, "<?xml version=\"1.0\"?>\n<fontconfig><cachedir>" + tmp.resolve("fc-cache") + "</cachedir></fontconfig>\n");
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), NoFontsMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("FONTCONFIG_FILE", conf.toString());
        pb.environment().put("XDG_CACHE_HOME", tmp.resolve("xdg").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    private record Result(int exit, String output) {}

    @Test
    void aReportIsWrittenWithTextOnAMachineWithoutFonts() throws Exception {
        Result control = withoutFonts("control");
        assumeFalse(control.exit() == 0, "this JDK draws text without any system font: the test cannot take them away");
        assertTrue(control.output().contains("Fontconfig"), "the JDK alone fails for want of fonts: " + control.output());

        Path dir = Files.createDirectories(tmp.resolve("runs"));
        Result report = withoutFonts("report", dir.toString());
        assertEquals(0, report.exit(), report.output());
        assertTrue(report.output().strip().endsWith("DejaVu Sans"), report.output());
        Path run = SweepReport.runDirs(dir).getFirst();
        assertTrue(Files.size(run.resolve("report.html")) > 10_000);
        // the first panel's title is drawn: dark pixels in the strip above its plot, where nothing but the title is
        BufferedImage png = ImageIO.read(run.resolve("plots/training.png").toFile());
        int dark = 0;
        for (int y = 0; y < 2 * 28; y++) for (int x = 0; x < png.getWidth() / 2; x++) if ((png.getRGB(x, y) & 0xff) < 0x80) dark++;
        assertTrue(dark > 200, "title pixels: " + dark);
    }
}
