package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.biaslab.io.TensorFile;
import org.biaslab.tensor.Tensor;

/**
 * The tiny random HuggingFace checkpoints under {@code src/test/resources/hf/<name>/} and the outputs transformers
 * computed for them ({@code expected.safetensors}; each directory's README.md says what every tensor is), and a check
 * of HuggingFace's initialisation schemes.
 */
public final class HfFixture {
    /** Agreement required with HuggingFace's float32 outputs. */
    public static final double TOLERANCE = 1e-4;

    private HfFixture() {}

    public static Path dir(String name) {
        return Path.of("src/test/resources/hf", name);
    }

    public static Map<String, Tensor> expected(String name) throws IOException {
        return TensorFile.load(dir(name).resolve("expected.safetensors")).tensors();
    }

    /** Max |expected − actual| over all entries. */
    public static double maxAbs(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape().dims(), actual.shape().dims(), "shape");
        float[] a = expected.toFloatArray(), b = actual.toFloatArray();
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** Asserts that {@code actual} is within {@link #TOLERANCE} of {@code expected} everywhere. */
    public static void assertClose(String what, Tensor expected, Tensor actual) {
        double d = maxAbs(expected, actual);
        assertTrue(d <= TOLERANCE, what + ": max-abs difference " + d + " from HuggingFace exceeds " + TOLERANCE);
    }

    /** The root mean square of zero-mean draws (≥ 4096 of them) is within 5% of {@code sigma}: about 4.5 standard errors. */
    public static void assertStd(double sigma, Tensor t) {
        float[] v = t.toFloatArray();
        assertTrue(v.length >= 4096, "too few draws: " + t.shape());
        double s = 0;
        for (float x : v) s += x * x;
        assertEquals(sigma, Math.sqrt(s / v.length), 0.05 * sigma, "std of " + t.shape());
    }
}
