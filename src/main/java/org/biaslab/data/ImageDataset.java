package org.biaslab.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * Labelled images held on the host: float pixels (N, C, H, W) and int labels 0 … classes − 1 (classes = the
 * largest label + 1). Subsets and mini-batches are drawn from seeded generators, so they depend only on the seed.
 */
public final class ImageDataset {
    private final float[] pixels;
    private final int[] labels;
    private final int[] imageDims; // (C, H, W)
    private final int classes;

    /** Images (N, C, H, W) with one label per image. */
    public ImageDataset(Tensor images, int[] labels) {
        if (images.shape().rank() != 4) throw new IllegalArgumentException("image dataset: images must be (N, C, H, W), got " + images.shape());
        if (images.dim(0) != labels.length) {
            throw new IllegalArgumentException("image dataset: " + images.dim(0) + " images but " + labels.length + " labels");
        }
        this.pixels = images.toFloatArray();
        this.labels = labels.clone();
        this.imageDims = new int[] {images.dim(1), images.dim(2), images.dim(3)};
        this.classes = Arrays.stream(labels).max().orElse(-1) + 1;
    }

    private ImageDataset(float[] pixels, int[] labels, int[] imageDims, int classes) {
        this.pixels = pixels;
        this.labels = labels;
        this.imageDims = imageDims;
        this.classes = classes;
    }

    /** An IDX image file and its IDX label file (plain or gzipped); their counts must agree. */
    public static ImageDataset load(Path images, Path labels) throws IOException {
        Tensor x = Idx.readImages(images);
        int[] y = Idx.readLabels(labels);
        if (x.dim(0) != y.length) {
            throw new org.biaslab.io.FormatException(labels, y.length + " labels for the " + x.dim(0) + " images of " + images);
        }
        return new ImageDataset(x, y);
    }

    /** MNIST's or Fashion-MNIST's training ({@code train}) or test split from {@code dir}, file names as distributed (optionally .gz). */
    public static ImageDataset loadMnistLayout(Path dir, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        return load(existing(dir, prefix + "-images-idx3-ubyte"), existing(dir, prefix + "-labels-idx1-ubyte"));
    }

    private static Path existing(Path dir, String name) throws IOException {
        for (String n : new String[] {name, name + ".gz"}) if (java.nio.file.Files.exists(dir.resolve(n))) return dir.resolve(n);
        throw new java.nio.file.NoSuchFileException(dir.resolve(name) + "[.gz]", null, "no IDX file (see docs/vit.md for how to fetch the data)");
    }

    public int size() {
        return labels.length;
    }

    public int classes() {
        return classes;
    }

    /** (C, H, W). */
    public int[] imageDims() {
        return imageDims.clone();
    }

    public int[] labels() {
        return labels.clone();
    }

    /** The examples at {@code indices}, in that order (the class count is kept). */
    public ImageDataset subset(int[] indices) {
        int per = imageDims[0] * imageDims[1] * imageDims[2];
        float[] p = new float[indices.length * per];
        int[] y = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * per, p, i * per, per);
            y[i] = labels[indices[i]];
        }
        return new ImageDataset(p, y, imageDims, classes);
    }

    /**
     * A stratified fraction: from each class, round(f · its count) examples drawn without replacement by a generator
     * seeded with {@code seed}, kept in their original order.
     */
    public ImageDataset fraction(double f, long seed) {
        if (!(f > 0 && f <= 1)) throw new IllegalArgumentException("image dataset: fraction " + f + " must be in (0, 1]");
        Rng rng = new Rng(seed);
        boolean[] keep = new boolean[size()];
        for (int c = 0; c < classes; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < size(); i++) if (labels[i] == c) members.add(i);
            int[] order = permutation(members.size(), rng);
            int take = (int) Math.round(f * members.size());
            for (int i = 0; i < take; i++) keep[members.get(order[i])] = true;
        }
        return subset(java.util.stream.IntStream.range(0, size()).filter(i -> keep[i]).toArray());
    }

    /**
     * One epoch's mini-batches: a uniform random permutation from {@code rng} cut into batches of {@code batchSize}
     * indices (the last one shorter when the size is not a multiple).
     */
    public List<int[]> batches(int batchSize, Rng rng) {
        if (batchSize <= 0) throw new IllegalArgumentException("image dataset: batch size " + batchSize + " must be positive");
        int[] order = permutation(size(), rng);
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) out.add(Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize)));
        return out;
    }

    /** Images (B, C, H, W) and int32 labels (B) at {@code indices}, on the host. */
    public Batch batch(int[] indices) {
        ImageDataset s = subset(indices);
        return new Batch(Tensor.of(s.pixels, indices.length, imageDims[0], imageDims[1], imageDims[2]), Tensor.ofInts(s.labels, indices.length));
    }

    /** Fisher–Yates from {@code rng}. */
    private static int[] permutation(int n, Rng rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
