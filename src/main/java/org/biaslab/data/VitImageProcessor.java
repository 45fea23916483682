package org.biaslab.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.biaslab.io.FormatException;
import org.biaslab.io.Json;
import org.biaslab.tensor.Tensor;

/**
 * HuggingFace's {@code ViTImageProcessor} for images with pixels in [0, 1] (as {@link Idx} and {@link Images} read
 * them): a grey image's channel repeated to {@code channels}; a bilinear resize to {@code size × size} on 8-bit values
 * (align_corners = False, edges clamped: PIL's bilinear filter when enlarging), rounded to 0…255 as PIL's 8-bit
 * images are; then x = (v/255 − mean_c) / std_c.
 */
public record VitImageProcessor(int size, int channels, double[] mean, double[] std) {
    public VitImageProcessor {
        if (size <= 0 || channels <= 0) throw new IllegalArgumentException("image processor: size " + size + " and channels " + channels + " must be positive");
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("image processor: " + mean.length + " means and " + std.length + " stds for " + channels + " channels");
        }
    }

    /**
     * The processor of a HuggingFace ViT checkpoint of image_size {@code size} and {@code channels} channels: mean and
     * std from {@code dir/preprocessor_config.json} ({@code image_mean}, {@code image_std}; none when
     * {@code do_normalize} is false) when that file exists, else HuggingFace's default 0.5 and 0.5.
     */
    public static VitImageProcessor ofCheckpoint(Path dir, int size, int channels) throws IOException {
        double[] mean = filled(channels, 0.5), std = filled(channels, 0.5);
        Path file = dir.resolve("preprocessor_config.json");
        if (Files.isRegularFile(file)) {
            ObjectNode c = Json.readObject(file);
            if (c.has("do_normalize") && !c.get("do_normalize").asBoolean(true)) {
                mean = filled(channels, 0);
                std = filled(channels, 1);
            } else {
                if (c.hasNonNull("image_mean")) mean = perChannel(file, c.get("image_mean"), "image_mean", channels);
                if (c.hasNonNull("image_std")) std = perChannel(file, c.get("image_std"), "image_std", channels);
            }
            for (double s : std) if (!(s > 0)) throw new FormatException(file, "field 'image_std' holds " + s + "; every std must be positive");
        }
        return new VitImageProcessor(size, channels, mean, std);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    /** A number for every channel, or one list of {@code channels} numbers. */
    private static double[] perChannel(Path file, JsonNode n, String field, int channels) throws FormatException {
        if (n.isNumber()) return filled(channels, n.asDouble());
        if (!n.isArray() || n.size() != channels) throw new FormatException(file, "field '" + field + "' must be a number or a list of " + channels + " numbers");
        double[] a = new double[channels];
        for (int i = 0; i < channels; i++) {
            if (!n.get(i).isNumber()) throw new FormatException(file, "field '" + field + "' holds a non-number at index " + i);
            a[i] = n.get(i).asDouble();
        }
        return a;
    }

    /** Images (N, 1 or channels, H, W) with pixels in [0, 1] → pixel values (N, channels, size, size). */
    public Tensor apply(Tensor images) {
        if (images.shape().rank() != 4) throw new IllegalArgumentException("images must be (N, C, H, W), got " + images.shape());
        int n = images.dim(0), c = images.dim(1), h = images.dim(2), w = images.dim(3);
        if (c != 1 && c != channels) throw new IllegalArgumentException("images have " + c + " channels; the model takes " + channels + " (or 1, repeated)");
        float[] in = images.toFloatArray();
        float[] out = new float[n * channels * size * size];
        double[] plane = new double[h * w];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < channels; ch++) {
                int from = (i * c + (c == 1 ? 0 : ch)) * h * w;
                for (int k = 0; k < h * w; k++) plane[k] = in[from + k] * 255.0;
                double[] r = bilinear(plane, h, w, size, size);
                int to = (i * channels + ch) * size * size;
                for (int k = 0; k < r.length; k++) {
                    double v = Math.clamp(Math.round(r[k]), 0, 255) / 255.0;
                    out[to + k] = (float) ((v - mean[ch]) / std[ch]);
                }
            }
        }
        return Tensor.of(out, n, channels, size, size);
    }

    /**
     * Bilinear resize of an (h, w) plane to (outH, outW) with align_corners = False: output pixel (i, j) samples the
     * input at ((i + ½) h/outH − ½, (j + ½) w/outW − ½), coordinates clamped to the image.
     */
    public static double[] bilinear(double[] x, int h, int w, int outH, int outW) {
        double[] y = new double[outH * outW];
        for (int i = 0; i < outH; i++) {
            double sy = Math.clamp((i + 0.5) * h / outH - 0.5, 0, h - 1);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int j = 0; j < outW; j++) {
                double sx = Math.clamp((j + 0.5) * w / outW - 0.5, 0, w - 1);
                int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = (1 - fx) * x[y0 * w + x0] + fx * x[y0 * w + x1];
                double bottom = (1 - fx) * x[y1 * w + x0] + fx * x[y1 * w + x1];
                y[i * outW + j] = (1 - fy) * top + fy * bottom;
            }
        }
        return y;
    }
}
