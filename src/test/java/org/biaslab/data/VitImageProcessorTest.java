package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.biaslab.io.FormatException;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HuggingFace's ViT preprocessing against closed forms, and images read from PNG and IDX files. */
class VitImageProcessorTest {
    @TempDir
    Path tmp;

    @Test
    void twoByTwoToFourByFourIsTheHalfPixelConventionWorkedByHand() {
        // rows sample the input at y = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1); columns likewise
        double[] y = VitImageProcessor.bilinear(new double[] {0, 40, 80, 120}, 2, 2, 4, 4);
        assertArrayEquals(new double[] {0, 10, 30, 40, 20, 30, 50, 60, 60, 70, 90, 100, 80, 90, 110, 120}, y, 1e-12);
    }

    @Test
    void aLinearRampStaysLinearBetweenTheClampedEdges() {
        int w = 7, outW = 24;
        double[] ramp = new double[3 * w];
        for (int i = 0; i < 3; i++) for (int j = 0; j < w; j++) ramp[i * w + j] = 2.5 * j - 4;
        double[] y = VitImageProcessor.bilinear(ramp, 3, w, 5, outW);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < outW; j++) {
                double x = Math.clamp((j + 0.5) * w / outW - 0.5, 0, w - 1); // where output column j samples
                assertEquals(2.5 * x - 4, y[i * outW + j], 1e-12, "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void aConstantImageStaysConstantAndIsNormalisedPerChannel() {
        var p = new VitImageProcessor(16, 3, new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
        Tensor x = p.apply(Tensor.of(new float[] {77 / 255f, 77 / 255f, 77 / 255f, 77 / 255f, 77 / 255f, 77 / 255f}, 1, 1, 2, 3));
        assertArrayEquals(new int[] {1, 3, 16, 16}, x.shape().dims());
        float[] v = x.toFloatArray();
        for (int c = 0; c < 3; c++) {
            double expected = (77 / 255.0 - p.mean()[c]) / p.std()[c];
            for (int k = 0; k < 256; k++) assertEquals(expected, v[c * 256 + k], 1e-6);
        }
    }

    @Test
    void greyImagesAreRepeatedResizedRoundedAndScaledToMinusOneOne() throws IOException {
        VitImageProcessor p = VitImageProcessor.ofCheckpoint(tmp, 4, 3); // no preprocessor_config.json: 0.5, 0.5
        float[] grey = {0, 40 / 255f, 80 / 255f, 121 / 255f};
        float[] v = p.apply(Tensor.of(grey, 1, 1, 2, 2)).toFloatArray();
        // 121 instead of 120: the corner mixes are 10.25·k, rounded to 8 bits as PIL does
        double[] bytes = VitImageProcessor.bilinear(new double[] {0, 40, 80, 121}, 2, 2, 4, 4);
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < 16; k++) assertEquals((Math.round(bytes[k]) / 255.0 - 0.5) / 0.5, v[c * 16 + k], 1e-6, "pixel " + k);
        }
    }

    @Test
    void preprocessorConfigGivesMeanAndStd() throws IOException {
        Files.writeString(tmp.resolve("preprocessor_config.json"),
                "{\"image_processor_type\": \"ViTImageProcessor\", \"image_mean\": [0.1, 0.2, 0.3], \"image_std\": 0.25, \"size\": {\"height\": 224, \"width\": 224}}");
        VitImageProcessor p = VitImageProcessor.ofCheckpoint(tmp, 224, 3);
        assertArrayEquals(new double[] {0.1, 0.2, 0.3}, p.mean());
        assertArrayEquals(new double[] {0.25, 0.25, 0.25}, p.std());
        Files.writeString(tmp.resolve("preprocessor_config.json"), "{\"do_normalize\": false, \"image_mean\": [0.1, 0.2, 0.3]}");
        assertArrayEquals(new double[] {0, 0, 0}, VitImageProcessor.ofCheckpoint(tmp, 224, 3).mean());
        Files.writeString(tmp.resolve("preprocessor_config.json"), "{\"image_mean\": [0.1, 0.2]}");
        var e = assertThrows(FormatException.class, () -> VitImageProcessor.ofCheckpoint(tmp, 224, 3));
        assertTrue(e.getMessage().contains("field 'image_mean' must be a number or a list of 3 numbers"), e.getMessage());
        Files.writeString(tmp.resolve("preprocessor_config.json"), "{\"image_std\": [0.1, 0, 0.2]}");
        e = assertThrows(FormatException.class, () -> VitImageProcessor.ofCheckpoint(tmp, 224, 3));
        assertTrue(e.getMessage().contains("every std must be positive"), e.getMessage());
    }

    @Test
    void colourImagesNeedAModelOfAsManyChannels() {
        var p = new VitImageProcessor(4, 1, new double[] {0.5}, new double[] {0.5});
        var e = assertThrows(IllegalArgumentException.class, () -> p.apply(Tensor.zeros(1, 3, 2, 2)));
        assertEquals("images have 3 channels; the model takes 1 (or 1, repeated)", e.getMessage());
    }

    @Test
    void pngAndIdxImagesReadBackTheirPixels() throws IOException {
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage rgb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                grey.getRaster().setSample(x, y, 0, 40 * x + 100 * y);
                rgb.setRGB(x, y, (10 * x) << 16 | (20 * y) << 8 | 200);
            }
        }
        Path g = tmp.resolve("g.png"), c = tmp.resolve("c.png");
        ImageIO.write(grey, "png", g.toFile());
        ImageIO.write(rgb, "png", c.toFile());
        Tensor tg = Images.read(g.toString());
        assertArrayEquals(new int[] {1, 1, 2, 3}, tg.shape().dims());
        assertArrayEquals(new float[] {0, 40 / 255f, 80 / 255f, 100 / 255f, 140 / 255f, 180 / 255f}, tg.toFloatArray(), 1e-7f);
        Tensor tc = Images.read(c.toString());
        assertArrayEquals(new int[] {1, 3, 2, 3}, tc.shape().dims());
        float[] v = tc.toFloatArray();
        assertEquals(20 / 255f, v[2], 1e-7f);          // R at (0, 2)
        assertEquals(20 / 255f, v[6 + 3], 1e-7f);      // G at (1, 0)
        assertEquals(200 / 255f, v[12 + 5], 1e-7f);    // B at (1, 2)

        byte[] idx = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4};
        Path f = Files.write(tmp.resolve("two.idx"), idx);
        assertArrayEquals(new float[] {3 / 255f, 4 / 255f}, Images.read(f + ":1").toFloatArray());
        assertArrayEquals(new float[] {1 / 255f, 2 / 255f}, Images.read(f.toString()).toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> Images.read(f + ":2"));
        assertEquals(f + " holds 2 images (0 … 1), not image 2", e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Images.read(tmp.resolve("none.png").toString()));
        Path text = Files.writeString(tmp.resolve("t.png"), "not an image");
        assertThrows(FormatException.class, () -> Images.read(text.toString()));
    }
}
