package org.biaslab.experiment.p2;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import org.biaslab.data.ImageDataset;
import org.biaslab.io.TensorFile;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Init;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.nn.vit.VitClassifier;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;

/**
 * P2's ViT experiments (papers.md §P2.4, 3–5) at image-classification scale on MNIST (and Fashion-MNIST): for every
 * depth, stratified training fraction and attention variant (baseline, "+", "−") one ensemble of the seeds, trained by
 * {@link VitTraining} (test accuracy clean and under noise, blur and contrast after every epoch); for the baseline the
 * asymmetry of each layer's H_h (member 0) before training and after every epoch; after training the
 * {@link VitMeasurement} (smoothing by layer, census, spectra). Finished runs and measurements are not redone.
 *
 * @param model         the model shape; its depth is replaced by each of {@code depths}
 * @param depths        numbers of layers
 * @param fractions     training fractions (stratified, the same subset for every variant and seed)
 * @param seeds         one ensemble member per seed
 * @param epochs        epochs per run
 * @param batchSize     images per step and member
 * @param testFraction  the stratified part of the test set evaluated after each epoch
 * @param measureImages test images whose hidden states are measured
 * @param censusImages  test images of the census
 * @param device        where the ensembles train (measurement runs on the host)
 */
public record VitSweep(VitConfig model, List<Integer> depths, List<Double> fractions, List<Long> seeds, int epochs, int batchSize, double testFraction,
                       int measureImages, int censusImages, Device device) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The variants, in the order of every table and legend. */
    public static final List<AttentionVariant> VARIANTS = List.of(AttentionVariant.BASELINE, AttentionVariant.SMOOTH, AttentionVariant.SHARPEN);
    /** The seed of the stratified training and test subsets. */
    static final long SUBSET_SEED = 0;

    public VitSweep {
        depths = List.copyOf(depths);
        fractions = List.copyOf(fractions);
        seeds = List.copyOf(seeds);
        if (depths.isEmpty() || fractions.isEmpty() || seeds.isEmpty()) throw new IllegalArgumentException("vit sweep: depths, fractions and seeds must not be empty");
        for (double f : fractions) if (!(f > 0 && f <= 1)) throw new IllegalArgumentException("vit sweep: training fraction " + f + " is not in (0, 1]");
        if (!(testFraction > 0 && testFraction <= 1)) throw new IllegalArgumentException("vit sweep: test fraction " + testFraction + " is not in (0, 1]");
    }

    /**
     * Two cores in minutes: the MNIST preset (d 64, 4 heads) at depths 2 and 4, 10 % of the training set, seeds 0 and 1,
     * two epochs of batches of 64 (188 steps), 20 % of the test set; 64 test images measured, 4 in the census.
     */
    public static VitSweep quick() {
        return new VitSweep(VitClassifier.mnist(), List.of(2, 4), List.of(0.1), List.of(0L, 1L), 2, 64, 0.2, 64, 4, Device.CPU);
    }

    /**
     * The MNIST preset at depths 4, 8, 12, fractions 0.1, 0.3, 1, seeds 0–2, 10 epochs of batches of 128, the whole test
     * set; 256 test images measured, 16 in the census.
     */
    public static VitSweep full() {
        return new VitSweep(VitClassifier.mnist(), List.of(4, 8, 12), List.of(0.1, 0.3, 1.0), List.of(0L, 1L, 2L), 10, 128, 1.0, 256, 16, Device.CPU);
    }

    public VitSweep withDevice(Device d) {
        return new VitSweep(model, depths, fractions, seeds, epochs, batchSize, testFraction, measureImages, censusImages, d);
    }

    /** A named image dataset's two splits. */
    public record Data(String name, ImageDataset train, ImageDataset test) {}

    /** One finished run: its place in the sweep, every member's epoch records, the measurement, and the baseline's asymmetry by epoch. */
    public record Run(String dataset, int depth, double fraction, AttentionVariant variant, List<VitTraining.EpochRecord> records,
                      VitMeasurement measurement, SortedMap<Integer, double[]> asymmetry) {
        /** The records of the last epoch, one per member. */
        public List<VitTraining.EpochRecord> last() {
            int e = records.stream().mapToInt(VitTraining.EpochRecord::epoch).max().orElse(0);
            return records.stream().filter(r -> r.epoch() == e).toList();
        }
    }

    /** The model of one depth. */
    public VitConfig model(int depth) {
        return new VitConfig(model.hiddenSize(), depth, model.numAttentionHeads(), model.intermediateSize(), model.hiddenAct(), model.layerNormEps(),
                model.imageSize(), model.patchSize(), model.numChannels(), model.qkvBias(), model.initializerRange());
    }

    /**
     * The training of one variant at one depth on {@code images} training images: {@link VitTraining.Config#mnist}'s
     * with this sweep's epochs and batch size, the warmup cut to a tenth of the steps where 100 steps would be more.
     */
    public VitTraining.Config config(AttentionVariant v, int depth, int images) {
        VitTraining.Config c = VitTraining.Config.mnist(v, seeds.stream().mapToLong(Long::longValue).toArray()).withModel(model(depth)).withEpochs(epochs)
                .withBatchSize(batchSize).withDevice(device);
        long steps = (long) epochs * ((images + c.batchSize() - 1) / c.batchSize());
        return c.withSchedule("cosine:0:" + Math.min(100, steps / 10));
    }

    /** The directory of one run: {@code dataset/depth-L/frac-f/variant}. */
    static Path dir(Path parent, String dataset, int depth, double fraction, AttentionVariant v) {
        return parent.resolve(dataset).resolve("depth-" + depth).resolve(String.format(Locale.ROOT, "frac-%s", fraction))
                .resolve(v.name().toLowerCase(Locale.ROOT));
    }

    /** Trains and measures what is not done yet under {@code dir}; returns every run of every dataset. */
    public List<Run> run(Path dir, List<Data> datasets, Observer observer) throws IOException {
        List<Run> out = new ArrayList<>();
        for (Data data : datasets) {
            ImageDataset test = data.test().fraction(testFraction, SUBSET_SEED + 1);
            int[] first = new int[Math.min(measureImages, test.size())];
            for (int i = 0; i < first.length; i++) first[i] = i;
            Tensor images = test.batch(first).x();
            for (double f : fractions) {
                ImageDataset train = data.train().fraction(f, SUBSET_SEED);
                for (int depth : depths) {
                    for (AttentionVariant v : VARIANTS) out.add(runOne(dir(dir, data.name(), depth, f, v), data.name(), depth, f, v, train, test, images, observer));
                }
            }
        }
        return out;
    }

    private Run runOne(Path dir, String dataset, int depth, double fraction, AttentionVariant v, ImageDataset train, ImageDataset test, Tensor images,
                       Observer observer) throws IOException {
        VitTraining.Config c = config(v, depth, train.size());
        int classes = Math.max(train.classes(), test.classes());
        String name = String.format(Locale.ROOT, "%s %s L%d %.0f%%", dataset, v.label(), depth, 100 * fraction);
        Path epochFile = dir.resolve("ckpt/epoch"), measured = dir.resolve("measurement.json"), asymmetryFile = dir.resolve("asymmetry.json");
        int done = Files.exists(epochFile) ? Integer.parseInt(Files.readString(epochFile).trim()) : 0;
        SortedMap<Integer, double[]> asymmetry = Files.exists(asymmetryFile)
                ? JSON.readValue(asymmetryFile.toFile(), new TypeReference<TreeMap<Integer, double[]>>() {}) : new TreeMap<>();
        if (done == c.epochs() && Files.exists(measured)) observer.say("vit: " + dir + " is done");
        else observer.say((done > 0 ? "vit: resuming after epoch " + done + ": " : "vit: training ") + name + " (" + c.seeds().length
                + " seeds, " + train.size() + " images) in " + dir);
        Files.createDirectories(dir);
        boolean trackAsymmetry = v == AttentionVariant.BASELINE;
        if (trackAsymmetry && !asymmetry.containsKey(0)) {
            asymmetry.put(0, VitMeasurement.asymmetry(new VitClassifier(c.model(), v, classes, Init.f32(c.seeds()[0]))));
            JSON.writeValue(asymmetryFile.toFile(), asymmetry);
        }
        long perEpoch = (train.size() + c.batchSize() - 1) / c.batchSize();
        List<VitTraining.EpochRecord> records;
        try (Observer.Task task = observer.start(name, perEpoch * c.epochs(), perEpoch * done)) {
            records = VitTraining.train(c, train, test, dir, new VitTraining.Listener() {
                @Override
                public void step(long step, long total, double loss) {
                    task.done(step, String.format(Locale.ROOT, "loss %.3g", loss));
                }

                @Override
                public void epoch(int epoch, VitClassifier model, List<VitTraining.EpochRecord> now) throws IOException {
                    if (!trackAsymmetry) return;
                    asymmetry.put(epoch, VitMeasurement.asymmetry(VitMeasurement.member(model, c.model(), classes, 0)));
                    JSON.writeValue(asymmetryFile.toFile(), asymmetry);
                }
            });
        }
        VitMeasurement m;
        if (Files.exists(measured)) {
            m = JSON.readValue(measured.toFile(), VitMeasurement.class);
        } else {
            VitClassifier model = new VitClassifier(c.model(), v, classes, Init.forLoading(DType.F32, c.seeds().length));
            model.load(TensorFile.load(dir.resolve("ckpt/model.safetensors")).tensors());
            m = VitMeasurement.of(model, c.model(), classes, c.seeds(), images, censusImages);
            JSON.writeValue(measured.toFile(), m);
        }
        return new Run(dataset, depth, fraction, v, records, m, asymmetry);
    }
}
