package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.biaslab.io.FormatException;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** An IDX file: magic, big-endian sizes, then the data bytes. */
    static byte[] idx(int magic, int[] sizes, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int s : sizes) out.writeInt(s);
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(b);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] b) throws IOException {
        return Files.write(dir.resolve(name), b);
    }

    private static byte[] ramp(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 37);
        return b;
    }

    @Test
    void imagesAndLabelsRoundTripPlainAndGzipped() throws IOException {
        byte[] pixels = ramp(3 * 4 * 5), labels = {2, 0, 9};
        for (boolean gz : new boolean[] {false, true}) {
            byte[] im = idx(0x803, new int[] {3, 4, 5}, pixels), lb = idx(0x801, new int[] {3}, labels);
            Tensor x = Idx.readImages(write("im" + gz, gz ? gzip(im) : im));
            assertEquals(Shape.of(3, 1, 4, 5), x.shape());
            float[] v = x.toFloatArray();
            for (int i = 0; i < v.length; i++) assertEquals((pixels[i] & 0xff) / 255f, v[i]);
            assertArrayEquals(new int[] {2, 0, 9}, Idx.readLabels(write("lb" + gz, gz ? gzip(lb) : lb)));
        }
        assertEquals(255 / 255f, Idx.readImages(write("white", idx(0x803, new int[] {1, 1, 1}, new byte[] {(byte) 255}))).item());
    }

    private void malformed(byte[] content, boolean images, String problem) throws IOException {
        Path f = write("bad", content);
        var e = assertThrows(FormatException.class, () -> {
            if (images) Idx.readImages(f);
            else Idx.readLabels(f);
        });
        assertEquals(f + ": " + problem, e.getMessage());
    }

    @Test
    void malformedFilesAreRefusedNamingFileAndProblem() throws IOException {
        malformed(idx(0x801, new int[] {2}, new byte[2]), true, "magic 0x00000801 is not IDX images (0x00000803)");
        malformed(idx(0x803, new int[] {1, 1, 1}, new byte[1]), false, "magic 0x00000803 is not IDX labels (0x00000801)");
        malformed(idx(0x803, new int[] {2, 0, 3}, new byte[0]), true, "the number of rows is 0, must be positive");
        malformed(idx(0x803, new int[] {2, 3}, new byte[0]), true, "truncated header: no size for the columns");
        malformed(idx(0x803, new int[] {2, 3, 3}, new byte[17]), true, "truncated: 17 data bytes, the header's sizes need 18");
        malformed(idx(0x801, new int[] {2}, new byte[3]), false, "trailing bytes: 3 data bytes, the header's sizes need 2");
        // a campaign's finding: N·rows·cols = 2^80 + 2^64 wrapped to 0 in a long, so the empty body passed
        malformed(idx(0x803, new int[] {0x40004000, 0x10000000, 0x400000}, new byte[0]), true,
                "1073758208 images of 268435456 x 4194304 pixels are more than 2^31-1 values");
        malformed(idx(0x803, new int[] {2, 0x8000, 0x8000}, new byte[0]), true, "2 images of 32768 x 32768 pixels are more than 2^31-1 values");
        malformed(new byte[] {0, 0}, false, "too short for an IDX header (2 bytes)");
        byte[] gz = gzip(idx(0x801, new int[] {40}, new byte[40]));
        Path f = write("cut.gz", Arrays.copyOf(gz, gz.length - 12));
        var e = assertThrows(FormatException.class, () -> Idx.readLabels(f));
        assertTrue(e.getMessage().startsWith(f + ": broken gzip stream"), e.getMessage());
    }

    @Test
    void aDatasetNeedsOneLabelPerImage() throws IOException {
        Path im = write("im", idx(0x803, new int[] {3, 2, 2}, new byte[12])), lb = write("lb", idx(0x801, new int[] {2}, new byte[2]));
        var e = assertThrows(FormatException.class, () -> ImageDataset.load(im, lb));
        assertEquals(lb + ": 2 labels for the 3 images of " + im, e.getMessage());
    }

    @Test
    void mnistLayoutFindsPlainOrGzippedFiles() throws IOException {
        write("t10k-images-idx3-ubyte.gz", gzip(idx(0x803, new int[] {2, 2, 2}, ramp(8))));
        write("t10k-labels-idx1-ubyte", idx(0x801, new int[] {2}, new byte[] {1, 3}));
        ImageDataset d = ImageDataset.loadMnistLayout(dir, false);
        assertEquals(2, d.size());
        assertEquals(4, d.classes());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ImageDataset.loadMnistLayout(dir, true));
    }
}
