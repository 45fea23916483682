package org.biaslab.data;

import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * A test-time corruption of images (N, C, H, W) with pixels in [0, 1], the result clipped to [0, 1]: additive
 * Gaussian noise of standard deviation σ ({@code noise:σ}), a Gaussian blur of standard deviation σ pixels as a
 * separable kernel of radius ⌈3σ⌉ with edge pixels repeated ({@code blur:σ}), or contrast scaling about each image's
 * mean, x ↦ m + c(x − m) ({@code contrast:c}).
 */
public record Corruption(Kind kind, double level) {
    public enum Kind { NOISE, BLUR, CONTRAST }

    public Corruption {
        if (!(level >= 0) || Double.isInfinite(level)) throw new IllegalArgumentException("corruption: level " + level + " must be finite and >= 0");
    }

    /** Parses {@code noise:σ}, {@code blur:σ} or {@code contrast:c}; the error names the accepted forms. */
    public static Corruption parse(String spec) {
        String[] parts = spec.split(":", -1);
        Kind kind = parts.length != 2 ? null : switch (parts[0]) {
            case "noise" -> Kind.NOISE;
            case "blur" -> Kind.BLUR;
            case "contrast" -> Kind.CONTRAST;
            default -> null;
        };
        try {
            if (kind != null) return new Corruption(kind, Double.parseDouble(parts[1]));
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("corruption: '" + spec + "' is none of noise:σ, blur:σ, contrast:c");
    }

    /** The spec this parses from, e.g. {@code noise:0.3}. */
    @Override
    public String toString() {
        return kind.name().toLowerCase() + ":" + level;
    }

    /** The corrupted images (host float32); noise draws from a generator seeded with {@code seed}. */
    public Tensor apply(Tensor images, long seed) {
        int n = images.dim(0), c = images.dim(1), h = images.dim(2), w = images.dim(3);
        float[] x = images.toFloatArray();
        switch (kind) {
            case NOISE -> {
                Rng rng = new Rng(seed);
                for (int i = 0; i < x.length; i++) x[i] += (float) (level * rng.normal());
            }
            case BLUR -> blur(x, n * c, h, w);
            case CONTRAST -> {
                int per = c * h * w;
                for (int img = 0; img < n; img++) {
                    double mean = 0;
                    for (int i = 0; i < per; i++) mean += x[img * per + i];
                    mean /= per;
                    for (int i = 0; i < per; i++) x[img * per + i] = (float) (mean + level * (x[img * per + i] - mean));
                }
            }
        }
        for (int i = 0; i < x.length; i++) x[i] = Math.min(1f, Math.max(0f, x[i]));
        return Tensor.of(x, n, c, h, w);
    }

    /** Blurs each of {@code planes} (h, w) planes in place: rows, then columns. */
    private void blur(float[] x, int planes, int h, int w) {
        if (level == 0) return;
        int r = (int) Math.ceil(3 * level);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-0.5 * i * i / (level * level));
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        float[] tmp = new float[h * w];
        for (int p = 0; p < planes; p++) {
            int off = p * h * w;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double s = 0;
                    for (int i = -r; i <= r; i++) s += k[i + r] * x[off + y * w + Math.clamp(xx + i, 0, w - 1)];
                    tmp[y * w + xx] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double s = 0;
                    for (int i = -r; i <= r; i++) s += k[i + r] * tmp[Math.clamp(y + i, 0, h - 1) * w + xx];
                    x[off + y * w + xx] = (float) s;
                }
            }
        }
    }
}
