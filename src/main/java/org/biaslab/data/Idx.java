package org.biaslab.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.biaslab.io.FormatException;
import org.biaslab.tensor.Tensor;

/**
 * LeCun's IDX files (MNIST, Fashion-MNIST), plain or gzipped (told apart by their first two bytes): a big-endian
 * magic 0x0000 08 k (unsigned bytes, k dimensions), k big-endian int32 sizes, then the bytes row-major. Images are
 * 0x00000803 (N, rows, cols), labels 0x00000801 (N). Anything else — another magic, a zero size, more than 2^31-1
 * pixels, too few or too many bytes, a broken gzip stream — is a {@link FormatException} naming the file and the
 * problem.
 */
public final class Idx {
    private static final int IMAGES = 0x00000803, LABELS = 0x00000801;

    private Idx() {}

    /** Images as float32 (N, 1, rows, cols) with pixel values v/255 in [0, 1]. */
    public static Tensor readImages(Path file) throws IOException {
        ByteBuffer b = open(file, IMAGES, "images");
        int n = size(file, b, "images"), rows = size(file, b, "rows"), cols = size(file, b, "columns");
        long perImage = (long) rows * cols; // each factor below 2^31: no long overflow in either product
        if (perImage > Integer.MAX_VALUE || n * perImage > Integer.MAX_VALUE) {
            throw new FormatException(file, n + " images of " + rows + " x " + cols + " pixels are more than 2^31-1 values");
        }
        byte[] pixels = body(file, b, n * perImage);
        float[] v = new float[pixels.length];
        for (int i = 0; i < v.length; i++) v[i] = (pixels[i] & 0xff) / 255f;
        return Tensor.of(v, n, 1, rows, cols);
    }

    /** Labels 0…255, one per image. */
    public static int[] readLabels(Path file) throws IOException {
        ByteBuffer b = open(file, LABELS, "labels");
        byte[] raw = body(file, b, size(file, b, "labels"));
        int[] labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) labels[i] = raw[i] & 0xff;
        return labels;
    }

    private static ByteBuffer open(Path file, int magic, String kind) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new FormatException(file, "broken gzip stream (" + e.getMessage() + ")", e);
            }
        }
        if (bytes.length < 4) throw new FormatException(file, "too short for an IDX header (" + bytes.length + " bytes)");
        ByteBuffer b = ByteBuffer.wrap(bytes); // big-endian
        int found = b.getInt();
        if (found != magic) {
            throw new FormatException(file, String.format("magic 0x%08x is not IDX %s (0x%08x)", found, kind, magic));
        }
        return b;
    }

    private static int size(Path file, ByteBuffer b, String what) throws FormatException {
        if (b.remaining() < 4) throw new FormatException(file, "truncated header: no size for the " + what);
        int n = b.getInt();
        if (n <= 0) throw new FormatException(file, "the number of " + what + " is " + n + ", must be positive");
        return n;
    }

    private static byte[] body(Path file, ByteBuffer b, long expected) throws FormatException {
        if (b.remaining() != expected) {
            throw new FormatException(file, (b.remaining() < expected ? "truncated: " : "trailing bytes: ") + b.remaining()
                    + " data bytes, the header's sizes need " + expected);
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
