package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.data.Corpus;
import org.biaslab.data.TextBatch;
import org.biaslab.data.Vocabulary;
import org.biaslab.tensor.Rng;

/**
 * A run's text: the vocabulary built on the training split and both splits encoded (each line's ids and
 * {@code <eos>}), cut to {@code maxLen} tokens when batched.
 */
public record LmData(Vocabulary vocab, List<int[]> train, List<int[]> dev, int maxLen) {
    public LmData {
        if (train.isEmpty() || dev.isEmpty()) throw new IllegalArgumentException("LM data: both splits need sequences");
        train = List.copyOf(train);
        dev = List.copyOf(dev);
    }

    /** Reads and encodes the corpus a config names. */
    public static LmData load(LmRunConfig c) throws IOException {
        Corpus corpus = c.dev() != null ? Corpus.of(Path.of(c.corpus()), Path.of(c.dev()))
                : Corpus.split(Path.of(c.corpus()), c.devFraction(), c.splitSeed());
        List<String> train = first(corpus.train(), c.maxTrain()), dev = first(corpus.dev(), c.maxDev());
        Vocabulary vocab = Vocabulary.build(train, Vocabulary.Level.parse(c.tokenizer()), c.vocabCap());
        return new LmData(vocab, train.stream().map(vocab::encode).toList(), dev.stream().map(vocab::encode).toList(), c.maxLen());
    }

    private static List<String> first(List<String> lines, int n) {
        return n > 0 && n < lines.size() ? lines.subList(0, n) : lines;
    }

    /** Full training batches per epoch (a last partial batch is dropped). */
    public int stepsPerEpoch(int batch) {
        return train.size() / batch;
    }

    /**
     * The training batches of {@code epoch}: a shuffle seeded by {@code dataSeed} and the epoch alone (so a resumed
     * run sees the same order), cut into full batches.
     */
    public List<TextBatch> epoch(int epoch, int batch, long dataSeed) {
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Rng rng = new Rng(dataSeed * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<TextBatch> out = new ArrayList<>();
        for (int s = 0; s + batch <= n; s += batch) {
            List<int[]> seqs = new ArrayList<>();
            for (int i = s; i < s + batch; i++) seqs.add(train.get(order[i]));
            out.add(TextBatch.pad(seqs, maxLen));
        }
        return out;
    }

    /** The dev split in file order, in batches of {@code size} (the last may be smaller). */
    public List<TextBatch> devBatches(int size) {
        List<TextBatch> out = new ArrayList<>();
        for (int s = 0; s < dev.size(); s += size) out.add(TextBatch.pad(dev.subList(s, Math.min(dev.size(), s + size)), maxLen));
        return out;
    }
}
