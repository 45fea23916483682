package org.biaslab.experiment.p2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.data.Corruption;
import org.biaslab.data.ImageDataset;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.nn.vit.VitClassifier;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VitTrainingTest {
    private static final VitConfig SMALL = new VitConfig(16, 2, 2, 32, "gelu", 1e-6, 8, 4, 1, true, 0.02);

    @TempDir
    Path dir;

    /** n noisy 8×8 images of 3 classes: horizontal stripes, vertical stripes, a checkerboard. */
    static ImageDataset stripes(int n, long seed) {
        Rng rng = new Rng(seed);
        float[] v = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int p = 0; p < 64; p++) {
                int r = p / 8, c = p % 8, on = y[i] == 0 ? r % 2 : y[i] == 1 ? c % 2 : (r + c) % 2;
                v[i * 64 + p] = (float) Math.min(1, Math.max(0, 0.5 + (on == 1 ? 0.3 : -0.3) + 0.1 * rng.normal()));
            }
        }
        return new ImageDataset(Tensor.of(v, n, 1, 8, 8), y);
    }

    private static VitTraining.Config config(AttentionVariant v, int epochs, long... seeds) {
        return new VitTraining.Config(SMALL, v, seeds, epochs, 16, new AdamWConfig(3e-3, 0.9, 0.999, 1e-8, 0.01), "constant",
                List.of(Corruption.parse("noise:0.2")), Device.CPU);
    }

    @Test
    void everyVariantLearnsASeparableTaskInAFewDozenSteps() throws IOException {
        ImageDataset train = stripes(96, 1), test = stripes(48, 2);
        for (AttentionVariant v : AttentionVariant.values()) {
            List<Long> steps = new ArrayList<>();
            List<VitTraining.EpochRecord> r = VitTraining.train(config(v, 5, 7), train, test, null, new VitTraining.Listener() {
                @Override
                public void step(long step, long total, double loss) {
                    steps.add(step);
                    assertEquals(30, total);
                }
            });
            assertEquals(30, steps.size());
            assertEquals(5, r.size());
            VitTraining.EpochRecord last = r.get(4);
            assertTrue(last.testAccuracy() > 0.9, v.label() + ": accuracy " + last.testAccuracy() + " (chance 1/3) " + r);
            assertTrue(last.trainLoss() < r.get(0).trainLoss(), v.label() + ": the loss falls");
            assertTrue(last.corruptedAccuracy().containsKey("noise:0.2"));
        }
    }

    @Test
    void ensembleMembersTrainExactlyAsSingleModelsWithTheirSeeds() throws IOException {
        ImageDataset train = stripes(40, 3), test = stripes(12, 4);
        List<float[]> ensembleParams = new ArrayList<>();
        List<VitTraining.EpochRecord> ens = VitTraining.train(config(AttentionVariant.SHARPEN, 2, 5, 6), train, test, null, new VitTraining.Listener() {
            @Override
            public void epoch(int epoch, VitClassifier model, List<VitTraining.EpochRecord> records) {
                if (epoch == 2) model.namedParameters().values().forEach(p -> ensembleParams.add(p.toFloatArray()));
            }
        });
        for (int e = 0; e < 2; e++) {
            int member = e;
            List<float[]> single = new ArrayList<>();
            List<VitTraining.EpochRecord> one = VitTraining.train(config(AttentionVariant.SHARPEN, 2, 5 + e), train, test, null, new VitTraining.Listener() {
                @Override
                public void epoch(int epoch, VitClassifier model, List<VitTraining.EpochRecord> records) {
                    if (epoch == 2) model.namedParameters().values().forEach(p -> single.add(p.toFloatArray()));
                }
            });
            for (int epoch = 0; epoch < 2; epoch++) {
                VitTraining.EpochRecord a = ens.get(2 * epoch + e), b = one.get(epoch);
                assertEquals(b.trainLoss(), a.trainLoss(), "member " + e + " loss");
                assertEquals(b.testAccuracy(), a.testAccuracy());
                assertEquals(b.corruptedAccuracy(), a.corruptedAccuracy());
            }
            for (int p = 0; p < single.size(); p++) {
                float[] all = ensembleParams.get(p);
                int per = single.get(p).length;
                assertArrayEquals(single.get(p), java.util.Arrays.copyOfRange(all, member * per, (member + 1) * per), "parameter " + p);
            }
        }
    }

    @Test
    void anInterruptedRunResumesAtItsNextEpochWithTheSameResults() throws IOException {
        ImageDataset train = stripes(40, 5), test = stripes(12, 6);
        VitTraining.Config c = config(AttentionVariant.SMOOTH, 3, 1, 2);
        List<VitTraining.EpochRecord> straight = VitTraining.train(c, train, test, dir.resolve("a"), new VitTraining.Listener() {});
        Path b = dir.resolve("b");
        assertThrows(IllegalStateException.class, () -> VitTraining.train(c, train, test, b, new VitTraining.Listener() {
            @Override
            public void epoch(int epoch, VitClassifier model, List<VitTraining.EpochRecord> records) {
                if (epoch == 2) throw new IllegalStateException("interrupted");
            }
        }));
        List<Integer> resumedEpochs = new ArrayList<>();
        List<VitTraining.EpochRecord> resumed = VitTraining.train(c, train, test, b, new VitTraining.Listener() {
            @Override
            public void epoch(int epoch, VitClassifier model, List<VitTraining.EpochRecord> records) {
                resumedEpochs.add(epoch);
            }
        });
        assertEquals(List.of(3), resumedEpochs);
        assertEquals(straight.size(), resumed.size());
        for (int i = 0; i < straight.size(); i++) {
            assertEquals(straight.get(i).trainLoss(), resumed.get(i).trainLoss(), "record " + i);
            assertEquals(straight.get(i).testAccuracy(), resumed.get(i).testAccuracy());
            assertEquals(straight.get(i).corruptedAccuracy(), resumed.get(i).corruptedAccuracy());
        }
        // a finished run reads its records back from the log alone: its checkpoints may be gone (results shipped slim)
        for (String f : List.of("model.safetensors", "optimizer.safetensors")) java.nio.file.Files.delete(b.resolve("ckpt").resolve(f));
        List<VitTraining.EpochRecord> again = VitTraining.train(c, train, test, b, new VitTraining.Listener() {
            @Override
            public void epoch(int epoch, VitClassifier model, List<VitTraining.EpochRecord> records) {
                throw new AssertionError("a finished run trained epoch " + epoch);
            }
        });
        assertEquals(resumed, again);
        var e = assertThrows(IllegalArgumentException.class, () -> VitTraining.train(config(AttentionVariant.SMOOTH, 4, 1, 2), train, test, b, new VitTraining.Listener() {}));
        assertTrue(e.getMessage().endsWith("holds a run with another config; choose another directory"), e.getMessage());
    }
}
