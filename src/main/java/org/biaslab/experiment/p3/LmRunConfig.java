package org.biaslab.experiment.p3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.data.Vocabulary;
import org.biaslab.io.FormatException;
import org.biaslab.io.Json;
import org.biaslab.nn.lm.LmConfig;
import org.biaslab.nn.lm.LmVariant;

/**
 * One language-model training run of P3 (papers.md §P3.4 (2)); defaults are the reference's training setup (AdamW
 * lr 1e-2 constant, weight decay 0.01, batch 16, 5 epochs, dev batch 50) on a CPU-sized model.
 *
 * @param corpus      training text, one sequence per line
 * @param dev         separate dev text, or null to split {@code devFraction} of the corpus off with {@code splitSeed}
 * @param tokenizer   whitespace (the reference's), words (words and punctuation) or chars
 * @param vocabCap    most frequent tokens kept, the rest {@code <unk>} (0: all)
 * @param maxLen      tokens per sequence ({@code <eos>} included) after truncation; the model reads maxLen − 1
 * @param maxTrain    use only the first this many training sequences (0: all), for short runs
 * @param maxDev      use only the first this many dev sequences (0: all)
 * @param preset      model sizes (tiny, small, reference); {@code layers}, {@code d}, {@code heads}, {@code ffn} override them when > 0
 * @param optimizer   adamw or sgd (no momentum)
 * @param seeds       initialisation seeds, one ensemble member each
 * @param dataSeed    seed of the split-independent epoch shuffles, shared by all members
 * @param logEvery    steps between training-loss and norm lines
 * @param zeroMask    the reference's causal mask (its quirk 1: later keys' scores set to 0, not −∞, so a query sees
 *                    them); left out of the JSON when false, so configs written before it existed still match
 */
public record LmRunConfig(String corpus, String dev, double devFraction, long splitSeed, String tokenizer, int vocabCap,
                          int maxLen, int maxTrain, int maxDev, String preset, String variant, int layers, int d, int heads,
                          int ffn, boolean bias, String optimizer, double lr, double weightDecay, int batch, int devBatch,
                          int epochs, List<Long> seeds, long dataSeed, int logEvery,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean zeroMask) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The reference's training setup on {@code corpus}, tiny model, seed 0, 10% dev split. */
    public static LmRunConfig defaults(String corpus) {
        return new LmRunConfig(corpus, null, 0.1, 0, "whitespace", 10_000, 128, 0, 0, "tiny", "control", 0, 0, 0, 0, true,
                "adamw", 1e-2, 0.01, 16, 50, 5, List.of(0L), 0, 50, false);
    }

    public LmRunConfig {
        require(corpus != null && !corpus.isBlank(), "a corpus file is needed");
        require(dev != null || (devFraction > 0 && devFraction < 1), "devFraction must be in (0, 1) without a dev file, got " + devFraction);
        Vocabulary.Level.parse(tokenizer);
        require(vocabCap >= 0, "vocabCap must be >= 0, got " + vocabCap);
        require(maxLen >= 2, "maxLen must be at least 2, got " + maxLen);
        require(maxTrain >= 0 && maxDev >= 0, "maxTrain and maxDev must be >= 0");
        LmVariant.parse(variant);
        LmConfig.preset(preset, 1, 1, LmVariant.CONTROL);
        require(layers >= 0 && d >= 0 && heads >= 0 && ffn >= 0, "layers, d, heads and ffn must be >= 0 (0: the preset's)");
        require(optimizer.equals("adamw") || optimizer.equals("sgd"), "optimizer must be adamw or sgd, got '" + optimizer + "'");
        require(Double.isFinite(lr) && lr > 0, "lr must be positive, got " + lr);
        require(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        require(batch >= 1 && devBatch >= 1, "batch and devBatch must be positive");
        require(epochs >= 0, "epochs must be >= 0, got " + epochs);
        require(seeds != null && !seeds.isEmpty(), "at least one seed is needed");
        seeds = List.copyOf(seeds);
        require(logEvery >= 1, "logEvery must be positive, got " + logEvery);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("lm config: " + message);
    }

    /** The model's shape for a vocabulary of {@code vocab} ids: the preset, with the non-zero overrides. */
    public LmConfig model(int vocab) {
        LmConfig p = LmConfig.preset(preset, vocab, maxLen - 1, LmVariant.parse(variant));
        return new LmConfig(vocab, d > 0 ? d : p.d(), layers > 0 ? layers : p.layers(), heads > 0 ? heads : p.heads(),
                ffn > 0 ? ffn : p.ffn(), maxLen - 1, p.variant(), bias, zeroMask);
    }

    /** This config with fields replaced by {@code overrides} (field name → value); unknown names are an error. */
    public LmRunConfig with(Map<String, Object> overrides) {
        ObjectNode tree = JSON.valueToTree(this);
        overrides.forEach((k, v) -> tree.set(k, JSON.valueToTree(v)));
        return fromTree(tree);
    }

    /** The fields whose values differ from {@code other}'s, as "name: this → other". */
    public List<String> differences(LmRunConfig other) {
        ObjectNode a = JSON.valueToTree(this), b = JSON.valueToTree(other);
        List<String> out = new ArrayList<>();
        a.fieldNames().forEachRemaining(k -> {
            if (!a.get(k).equals(b.get(k))) out.add(k + ": " + a.get(k) + " → " + b.get(k));
        });
        return out;
    }

    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LmRunConfig fromJson(String json) {
        try {
            return fromTree(Json.parseObject(Path.of("lm config"), json));
        } catch (FormatException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static LmRunConfig fromTree(ObjectNode tree) {
        try {
            return JSON.treeToValue(tree, LmRunConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("lm config: unknown field '" + e.getPropertyName() + "'");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : "lm config: " + Json.problem(e));
        }
    }
}
