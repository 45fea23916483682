package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
    /** 100 images of 1×3×3, image i filled with i/100, labels i mod 4 except that class 3 has only 10 members. */
    private static ImageDataset data() {
        float[] v = new float[100 * 9];
        int[] y = new int[100];
        for (int i = 0; i < 100; i++) {
            Arrays.fill(v, i * 9, i * 9 + 9, i / 100f);
            y[i] = i < 40 ? i % 3 : i % 4 == 3 && i < 80 ? 3 : i % 3;
        }
        return new ImageDataset(Tensor.of(v, 100, 1, 3, 3), y);
    }

    private static int[] classCounts(ImageDataset d) {
        int[] n = new int[d.classes()];
        for (int y : d.labels()) n[y]++;
        return n;
    }

    @Test
    void fractionIsStratifiedAndSeeded() {
        ImageDataset d = data();
        int[] all = classCounts(d);
        ImageDataset f = d.fraction(0.3, 1);
        int[] part = classCounts(f);
        for (int c = 0; c < all.length; c++) assertEquals(Math.round(0.3 * all[c]), part[c], "class " + c);
        assertArrayEquals(f.batch(new int[] {0, 1, 2}).x().toFloatArray(), d.fraction(0.3, 1).batch(new int[] {0, 1, 2}).x().toFloatArray());
        assertNotEquals(Arrays.toString(f.batch(seq(f.size())).x().toFloatArray()),
                Arrays.toString(d.fraction(0.3, 2).batch(seq(f.size())).x().toFloatArray()), "another seed, another subset");
        assertEquals(d.size(), d.fraction(1, 5).size());
        assertThrows(IllegalArgumentException.class, () -> d.fraction(0, 1));
    }

    private static int[] seq(int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = i;
        return s;
    }

    @Test
    void batchesPartitionAPermutationAndPairImagesWithLabels() {
        ImageDataset d = data();
        List<int[]> batches = d.batches(32, new Rng(3));
        assertEquals(List.of(32, 32, 32, 4), batches.stream().map(b -> b.length).toList());
        int[] seen = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(seq(100), seen);
        assertArrayEquals(batches.get(0), d.batches(32, new Rng(3)).get(0), "seeded");
        Batch b = d.batch(batches.get(1));
        float[] x = b.x().toFloatArray();
        int[] y = b.y().toIntArray(), labels = d.labels();
        for (int i = 0; i < 32; i++) {
            int index = Math.round(x[i * 9] * 100);
            assertEquals(batches.get(1)[i], index);
            assertEquals(labels[index], y[i]);
        }
    }

    @Test
    void corruptionsDoWhatTheySayAndClip() {
        Tensor img = Tensor.uniform(new Rng(1), DType.F32, 0, 1, 2, 1, 9, 9);
        float[] x = img.toFloatArray();
        assertArrayEquals(x, Corruption.parse("contrast:1").apply(img, 0).toFloatArray(), 1e-6f);
        assertArrayEquals(x, Corruption.parse("blur:0").apply(img, 0).toFloatArray());
        assertArrayEquals(x, Corruption.parse("noise:0").apply(img, 0).toFloatArray());
        float[] flat = Corruption.parse("contrast:0").apply(img, 0).toFloatArray();
        for (int im = 0; im < 2; im++) {
            double mean = 0;
            for (int i = 0; i < 81; i++) mean += x[im * 81 + i] / 81;
            for (int i = 0; i < 81; i++) assertEquals(mean, flat[im * 81 + i], 1e-6);
        }
        // noise: the difference has standard deviation σ where nothing is clipped (a mid-grey image)
        Tensor grey = Tensor.full(DType.F32, org.biaslab.tensor.Shape.of(100, 1, 10, 10), 0.5);
        float[] noisy = Corruption.parse("noise:0.05").apply(grey, 4).toFloatArray();
        double ss = 0;
        for (float v : noisy) ss += (v - 0.5) * (v - 0.5);
        assertEquals(0.05, Math.sqrt(ss / noisy.length), 0.002);
        for (float v : Corruption.parse("noise:2").apply(img, 5).toFloatArray()) assertTrue(v >= 0 && v <= 1);
        for (float v : Corruption.parse("contrast:5").apply(img, 5).toFloatArray()) assertTrue(v >= 0 && v <= 1);
    }

    @Test
    void blurOfAnImpulseIsTheSeparableGaussian() {
        float[] v = new float[15 * 15];
        v[7 * 15 + 7] = 1;
        float[] b = new Corruption(Corruption.Kind.BLUR, 1.0).apply(Tensor.of(v, 1, 1, 15, 15), 0).toFloatArray();
        double norm = 0;
        for (int i = -3; i <= 3; i++) norm += Math.exp(-0.5 * i * i);
        double total = 0;
        for (int y = 0; y < 15; y++) {
            for (int x = 0; x < 15; x++) {
                int dy = y - 7, dx = x - 7;
                double expected = Math.abs(dy) > 3 || Math.abs(dx) > 3 ? 0 : Math.exp(-0.5 * (dx * dx + dy * dy)) / (norm * norm);
                assertEquals(expected, b[y * 15 + x], 1e-6);
                total += b[y * 15 + x];
            }
        }
        assertEquals(1, total, 1e-5);
        // a constant image stays constant (edges repeat)
        Tensor c = Tensor.full(DType.F32, org.biaslab.tensor.Shape.of(1, 1, 6, 6), 0.3);
        for (float f : Corruption.parse("blur:2").apply(c, 0).toFloatArray()) assertEquals(0.3f, f, 1e-6f);
    }

    @Test
    void badSpecsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Corruption.parse("fog:1"));
        assertEquals("corruption: 'fog:1' is none of noise:σ, blur:σ, contrast:c", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Corruption.parse("noise:-1"));
        assertEquals("blur:1.5", Corruption.parse("blur:1.5").toString());
    }
}
