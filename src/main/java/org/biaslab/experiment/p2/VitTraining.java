package org.biaslab.experiment.p2;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.data.Batch;
import org.biaslab.data.Corruption;
import org.biaslab.data.ImageDataset;
import org.biaslab.io.TensorFile;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Init;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.nn.vit.VitClassifier;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Schedule;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Precision;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.RunDir;

/**
 * P2's image-classification training: an ensemble of E {@link VitClassifier}s of one attention variant, member e
 * initialised with seeds[e] and drawing its own mini-batches (a permutation per epoch from seeds[e] and the epoch),
 * trained with AdamW on the summed per-member mean cross-entropy — so member e trains exactly as a single model with
 * seed seeds[e]. After each epoch every member's test accuracy is measured, clean and under each corruption (noise
 * drawn once per corruption, the same for every member and epoch), and the listener sees the model.
 * <p>
 * With a run directory: {@code config.json}, {@code metrics.jsonl} (one line per member per epoch, as
 * {@link EpochRecord}) and a checkpoint of the model and optimiser after each epoch ({@code ckpt/}), from which an
 * interrupted run resumes at its next epoch with the same results.
 */
public final class VitTraining {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVAL_CHUNK = 500;

    private VitTraining() {}

    /**
     * What to train: the model shape and attention variant, one seed per member, epochs, batch size, AdamW's
     * hyperparameters, the learning-rate schedule ({@link Schedule#parse} over all steps), the test corruptions, and
     * the device.
     */
    public record Config(VitConfig model, AttentionVariant variant, long[] seeds, int epochs, int batchSize,
                         AdamWConfig optimizer, String schedule, List<Corruption> corruptions, Device device) {
        public Config {
            if (seeds.length == 0) throw new IllegalArgumentException("vit training: at least one seed is needed");
            if (epochs <= 0 || batchSize <= 0) throw new IllegalArgumentException("vit training: epochs and batch size must be positive");
            Schedule.parse(schedule, Integer.MAX_VALUE); // checks the spec; the run parses it again over its steps
            seeds = seeds.clone();
            corruptions = List.copyOf(corruptions);
        }

        /**
         * The MNIST default: {@link VitClassifier#mnist()}, 2 epochs of batches of 128, AdamW lr 1e-3, weight decay
         * 0.05, cosine decay to 0 after 100 warmup steps, corruptions noise:0.3, blur:1.0 and contrast:0.3, CPU.
         */
        public static Config mnist(AttentionVariant variant, long... seeds) {
            return new Config(VitClassifier.mnist(), variant, seeds, 2, 128, new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 0.05),
                    "cosine:0:100", List.of(Corruption.parse("noise:0.3"), Corruption.parse("blur:1.0"), Corruption.parse("contrast:0.3")),
                    Device.CPU);
        }

        public Config withEpochs(int e) {
            return new Config(model, variant, seeds, e, batchSize, optimizer, schedule, corruptions, device);
        }

        /** The same training of another model shape (e.g. another depth). */
        public Config withModel(VitConfig m) {
            return new Config(m, variant, seeds, epochs, batchSize, optimizer, schedule, corruptions, device);
        }

        public Config withBatchSize(int b) {
            return new Config(model, variant, seeds, epochs, b, optimizer, schedule, corruptions, device);
        }

        public Config withSchedule(String spec) {
            return new Config(model, variant, seeds, epochs, batchSize, optimizer, spec, corruptions, device);
        }

        public Config withDevice(Device d) {
            return new Config(model, variant, seeds, epochs, batchSize, optimizer, schedule, corruptions, d);
        }
    }

    /**
     * One member after one epoch: its mean training loss over the epoch's steps, its clean test accuracy, its test
     * accuracy under each corruption (keyed by the corruption's spec, e.g. {@code noise:0.3}), and the epoch's
     * wall-clock seconds (training and evaluation, shared by the members).
     */
    public record EpochRecord(String variant, int member, long seed, int epoch, long step, double trainLoss, double testAccuracy,
                              Map<String, Double> corruptedAccuracy, double seconds) {}

    /** Sees the training as it goes. */
    public interface Listener {
        /** After each optimiser step: steps done, steps in all, the members' mean loss on this batch. */
        default void step(long step, long total, double loss) {}

        /** After each epoch (from 1), with the model (member axis first) and the members' records. */
        default void epoch(int epoch, VitClassifier model, List<EpochRecord> records) throws IOException {}
    }

    /** Trains as described above; returns every member's record of every epoch (resumed epochs read back from the log). */
    public static List<EpochRecord> train(Config c, ImageDataset train, ImageDataset test, Path dir, Listener listener) throws IOException {
        int members = c.seeds().length;
        VitClassifier model = new VitClassifier(c.model(), c.variant(), Math.max(train.classes(), test.classes()), Init.f32(c.seeds()));
        model.to(c.device());
        RunDir run = dir == null ? null : new RunDir(dir);
        int start = run == null ? 0 : startEpoch(run, c);
        long perEpoch = (train.size() + c.batchSize() - 1) / c.batchSize(), total = perEpoch * c.epochs();
        if (start == c.epochs()) return logged(run, c, start, total); // finished: the log alone, checkpoints not needed
        if (start > 0) model.load(TensorFile.load(run.path().resolve("ckpt/model.safetensors")).tensors());
        AdamW opt = new AdamW(model.namedParameters(), c.optimizer(), Schedule.parse(c.schedule(), total));
        List<EpochRecord> records = new ArrayList<>();
        if (start > 0) resume(run, c, start, opt, records);
        List<ImageDataset> corrupted = new ArrayList<>();
        Tensor testImages = test.batch(range(test.size())).x();
        for (int k = 0; k < c.corruptions().size(); k++) {
            corrupted.add(new ImageDataset(c.corruptions().get(k).apply(testImages, 1000 + k), test.labels()));
        }
        for (int epoch = start + 1; epoch <= c.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double[] lossSum = new double[members];
            List<List<int[]>> order = new ArrayList<>();
            for (long seed : c.seeds()) order.add(train.batches(c.batchSize(), new Rng(seed + 1_000_003L * epoch)));
            for (int i = 0; i < perEpoch; i++) {
                Batch b = stacked(train, order, i, members);
                Tensor loss;
                try (Precision.Scope ignored = Precision.trainingStep(c.device())) {
                    opt.zeroGrad();
                    loss = loss(model.forward(b.x().to(c.device())), b.y(), members);
                    (members == 1 ? loss : loss.sum()).backward();
                    opt.step();
                }
                double[] l = loss.toDoubleArray();
                double mean = 0;
                for (int e = 0; e < members; e++) {
                    lossSum[e] += l[e];
                    mean += l[e] / members;
                }
                listener.step(opt.steps(), total, mean);
            }
            double[] clean = accuracy(model, test, c.device());
            List<double[]> noisy = new ArrayList<>();
            for (ImageDataset d : corrupted) noisy.add(accuracy(model, d, c.device()));
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<EpochRecord> now = new ArrayList<>();
            for (int e = 0; e < members; e++) {
                Map<String, Double> acc = new LinkedHashMap<>();
                for (int k = 0; k < corrupted.size(); k++) acc.put(c.corruptions().get(k).toString(), noisy.get(k)[e]);
                now.add(new EpochRecord(c.variant().label(), e, c.seeds()[e], epoch, opt.steps(), lossSum[e] / perEpoch, clean[e], acc, seconds));
            }
            records.addAll(now);
            if (run != null) checkpoint(run, epoch, model, opt, now);
            listener.epoch(epoch, model, now);
        }
        return records;
    }

    /** Batch i of every member's epoch order, stacked on a leading member axis when there are several members. */
    private static Batch stacked(ImageDataset train, List<List<int[]>> order, int i, int members) {
        if (members == 1) return train.batch(order.get(0).get(i));
        Tensor[] xs = new Tensor[members], ys = new Tensor[members];
        for (int e = 0; e < members; e++) {
            Batch b = train.batch(order.get(e).get(i));
            xs[e] = b.x();
            ys[e] = b.y();
        }
        return new Batch(Tensor.stack(0, xs), Tensor.stack(0, ys));
    }

    /**
     * Mean cross-entropy of logits (…, B, C) against int32 labels (…, B) per member: a scalar for one model, (E) for
     * an ensemble, each member's computed over its own rows in the order a single model would.
     */
    public static Tensor loss(Tensor logits, Tensor labels, int members) {
        int classes = logits.dim(-1);
        Tensor oneHot = Tensor.oneHot(labels.reshape(-1), classes, logits.dtype()).reshape(logits.shape().dims()).to(logits.device());
        Tensor nll = logits.logSoftmax(-1).mul(oneHot).sum(false, -1).neg(); // (…, B)
        return members == 1 ? nll.reshape(-1).mean() : nll.reshape(members, -1).mean(false, 1);
    }

    /** Each member's accuracy on {@code data} (every member sees every example), in chunks, without a tape. */
    public static double[] accuracy(VitClassifier model, ImageDataset data, Device device) {
        int members = model.members();
        long[] correct = new long[members];
        try (var off = GradMode.off()) {
            for (int from = 0; from < data.size(); from += EVAL_CHUNK) {
                int[] idx = range(from, Math.min(data.size(), from + EVAL_CHUNK));
                Batch b = data.batch(idx);
                Tensor x = b.x().to(device);
                if (members > 1) x = x.unsqueeze(0).expand(withMembers(members, x.shape().dims())); // (B, …) -> (E, B, …)
                float[] logits = model.forward(x).toFloatArray(); // (…, B, C)
                int[] y = b.y().toIntArray();
                int classes = logits.length / (members * idx.length);
                for (int e = 0; e < members; e++) {
                    for (int i = 0; i < idx.length; i++) {
                        int row = (e * idx.length + i) * classes, best = 0;
                        for (int k = 1; k < classes; k++) if (logits[row + k] > logits[row + best]) best = k;
                        if (best == y[i]) correct[e]++;
                    }
                }
            }
        }
        double[] acc = new double[members];
        for (int e = 0; e < members; e++) acc[e] = (double) correct[e] / data.size();
        return acc;
    }

    private static void checkpoint(RunDir run, int epoch, VitClassifier model, AdamW opt, List<EpochRecord> now) throws IOException {
        for (EpochRecord r : now) run.log(metricsLine(r));
        Path ck = run.path().resolve("ckpt");
        Files.createDirectories(ck);
        Map<String, String> meta = Map.of("biaslab.epoch", Integer.toString(epoch), "format", "pt");
        TensorFile.save(ck.resolve("optimizer.safetensors.tmp"), onHost(opt.state()), meta);
        TensorFile.save(ck.resolve("model.safetensors.tmp"), onHost(model.namedParameters()), meta);
        // the epoch file is written last: a crash before it leaves the previous epoch's pair, still named by it
        Files.move(ck.resolve("optimizer.safetensors.tmp"), ck.resolve("optimizer.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(ck.resolve("model.safetensors.tmp"), ck.resolve("model.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(ck.resolve("epoch"), Integer.toString(epoch));
    }

    /** Checks or writes config.json; returns the epochs already done (0 for a new run, whose stray log lines are dropped). */
    private static int startEpoch(RunDir run, Config c) throws IOException {
        Files.createDirectories(run.path());
        Path config = run.path().resolve("config.json");
        String json = JSON.writeValueAsString(c);
        if (Files.exists(config) && !Files.readString(config).equals(json)) {
            throw new IllegalArgumentException(run.path() + " holds a run with another config; choose another directory");
        }
        Files.writeString(config, json);
        Path epochFile = run.path().resolve("ckpt").resolve("epoch");
        int done = Files.exists(epochFile) ? Integer.parseInt(Files.readString(epochFile).trim()) : 0;
        if (done == 0) run.truncateMetrics(-1); // lines of an epoch that never reached its checkpoint
        return done;
    }

    /** Loads the optimiser state of the checkpoint after {@code done} epochs and the records logged up to it. */
    private static void resume(RunDir run, Config c, int done, AdamW opt, List<EpochRecord> records) throws IOException {
        opt.load(TensorFile.load(run.path().resolve("ckpt/optimizer.safetensors")).tensors()); // moments go to their parameters' device
        records.addAll(logged(run, c, done, opt.steps()));
    }

    /** The records of the first {@code done} epochs, from metrics.jsonl cut after {@code steps} optimiser steps. */
    private static List<EpochRecord> logged(RunDir run, Config c, int done, long steps) throws IOException {
        run.truncateMetrics(steps);
        List<EpochRecord> records = new ArrayList<>();
        for (Map<String, Object> m : run.metrics()) records.add(fromMetrics(m));
        int members = c.seeds().length;
        if (records.size() != done * members) {
            throw new IOException(run.path() + ": metrics.jsonl has " + records.size() + " records for " + done + " epochs of " + members + " members");
        }
        return records;
    }

    private static Map<String, Object> metricsLine(EpochRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", r.step());
        m.put("epoch", r.epoch());
        m.put("variant", r.variant());
        m.put("member", r.member());
        m.put("seed", r.seed());
        m.put("train/loss", r.trainLoss());
        m.put("test/accuracy", r.testAccuracy());
        r.corruptedAccuracy().forEach((k, v) -> m.put("test/accuracy/" + k, v));
        m.put("seconds", r.seconds());
        return m;
    }

    private static EpochRecord fromMetrics(Map<String, Object> m) {
        Map<String, Double> acc = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (k.startsWith("test/accuracy/")) acc.put(k.substring("test/accuracy/".length()), ((Number) v).doubleValue());
        });
        return new EpochRecord((String) m.get("variant"), ((Number) m.get("member")).intValue(), ((Number) m.get("seed")).longValue(),
                ((Number) m.get("epoch")).intValue(), ((Number) m.get("step")).longValue(), ((Number) m.get("train/loss")).doubleValue(),
                ((Number) m.get("test/accuracy")).doubleValue(), acc, ((Number) m.get("seconds")).doubleValue());
    }

    private static Map<String, Tensor> onHost(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.to(Device.CPU)));
        return out;
    }

    private static int[] withMembers(int members, int[] dims) {
        int[] out = new int[dims.length + 1];
        out[0] = members;
        System.arraycopy(dims, 0, out, 1, dims.length);
        return out;
    }

    private static int[] range(int n) {
        return range(0, n);
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }
}
