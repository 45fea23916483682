package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.data.Corpus;
import org.biaslab.data.Tokenizer;
import org.biaslab.nn.Models;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.probe.saturation.RepresentationSimilarity;
import org.biaslab.tensor.Tensor;

/**
 * P3's saturation of pretrained models (papers.md §P3.4 (4), the reference's {@code eval_pretrain_sat_brown.py}): per
 * hidden state ℓ, cos(h_ℓ(θ), h_ℓ(cθ)) averaged over the real tokens of the corpus' first {@code texts} lines, for
 * each model and for its random initialisation ({@code randomInit(randomSeed)}, HuggingFace's scheme). Runs on the
 * CPU. Each model's result is kept as {@code <name>.json}; a model that cannot be loaded (not in the local Maven
 * repository) is recorded as skipped, with the reason, and tried again on the next run.
 *
 * @param models     what {@link Models#load} takes: names (all-minilm-l6-v2, …) or paths
 * @param corpus     the text file; its first lines (headings and blank lines skipped) are the inputs
 * @param texts      lines measured (the reference: the first 100 Brown paragraphs)
 * @param maxTokens  longest tokenised text (the reference truncates at 512)
 */
public record PretrainedSaturation(List<String> models, String corpus, int texts, long randomSeed, double c, int maxTokens) {
    public PretrainedSaturation {
        models = List.copyOf(models);
        if (texts < 1) throw new IllegalArgumentException("P3 pretrained: texts must be positive, got " + texts);
    }

    /** all-MiniLM-L6-v2 on the first 32 lines. */
    public static PretrainedSaturation quick(String corpus) {
        return new PretrainedSaturation(List.of("all-minilm-l6-v2"), corpus, 32, 0, 1000, 512);
    }

    /** MiniLM, bge-small, e5-small and Google's BERT-base-uncased (where present) on the first 100 lines. */
    public static PretrainedSaturation full(String corpus) {
        return new PretrainedSaturation(List.of("all-minilm-l6-v2", "bge-small-en-v15", "e5-small-v2", "bert-base-uncased-tf"), corpus,
                100, 0, 1000, 512);
    }

    /**
     * One model's similarities, {@code pretrained[ℓ]} and {@code random[ℓ]} for hidden state ℓ (0 = the embeddings'
     * output), with their baselines, the anisotropy of each hidden state ({@link RepresentationSimilarity#anisotropy});
     * or {@code skipped}, the reason it was not measured.
     */
    public record Result(String model, String architecture, int texts, int tokens, double[] pretrained, double[] random,
                         double[] pretrainedAnisotropy, double[] randomAnisotropy, String skipped) {}

    /** Measures the models without a result yet (skipped ones are tried again). */
    public List<Result> run(Path dir, P3.Observer observer) throws IOException {
        List<String> lines = Corpus.readLines(Path.of(corpus));
        List<String> input = lines.subList(0, Math.min(texts, lines.size()));
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            String spec = models.get(i);
            Path file = file(dir, spec);
            Result r = ResultFiles.read(file, Result.class);
            if (r == null || r.skipped() != null || r.pretrainedAnisotropy() == null) { // measured before the baseline: again
                observer.progress("pretrained", i, models.size(), spec);
                r = measure(spec, input);
                if (r.skipped() != null) observer.say("P3 pretrained: " + spec + " skipped: " + r.skipped());
                ResultFiles.write(file, r);
            }
            out.add(r);
        }
        observer.progress("pretrained", models.size(), models.size(), "");
        return out;
    }

    /** The result file of model {@code spec}: its last path element, made safe as a file name. */
    static Path file(Path dir, String spec) {
        String name = Path.of(spec).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return dir.resolve(name + ".json");
    }

    private Result measure(String spec, List<String> input) throws IOException {
        Models.Loaded loaded;
        try {
            loaded = Models.load(spec);
        } catch (IllegalArgumentException e) {
            return new Result(spec, null, 0, 0, null, null, null, null, e.getMessage());
        }
        if (loaded.tokenizer() == null) return new Result(spec, loaded.model().architecture(), 0, 0, null, null, null, null, "no tokenizer.json beside the model");
        Tokenizer.Encoded enc;
        try (Tokenizer tok = Tokenizer.open(loaded.tokenizer(), maxTokens)) {
            enc = tok.encode(input);
        }
        PretrainedModel model = loaded.model();
        Tensor decoderIds = model.architecture().equals("t5") ? enc.inputIds() : null; // T5 reads the text on both sides, as P3
        PretrainedModel.Input in = new PretrainedModel.Input(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds(), null, decoderIds);
        List<RepresentationSimilarity.Layer> pretrained = RepresentationSimilarity.of(model, in, c);
        List<RepresentationSimilarity.Layer> random = RepresentationSimilarity.of(model.randomInit(randomSeed), in, c);
        int tokens = 0;
        for (int v : enc.attentionMask().toIntArray()) tokens += v;
        return new Result(spec, model.architecture(), input.size(), tokens, similarities(pretrained), similarities(random),
                anisotropies(pretrained), anisotropies(random), null);
    }

    private static double[] similarities(List<RepresentationSimilarity.Layer> layers) {
        return layers.stream().mapToDouble(RepresentationSimilarity.Layer::similarity).toArray();
    }

    private static double[] anisotropies(List<RepresentationSimilarity.Layer> layers) {
        return layers.stream().mapToDouble(RepresentationSimilarity.Layer::anisotropy).toArray();
    }
}
