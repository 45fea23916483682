package org.biaslab.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.Json;

/**
 * Everything that defines one training run of a P1 model on a bit-string task. Defaults are P1's
 * (docs/papers.md §P1.9.0): d 128, 2 layers, 2 heads, batch 1024, 10,000 steps, AdamW lr 3e-4, weight decay 0.1.
 *
 * @param task          target function in {@code boolfn} syntax: parity, majority, first, mean, random:SEED, …
 * @param n             input length (the longest, with a length range)
 * @param minN          with 1 ≤ minN < n, each batch has a length drawn uniformly from minN..n (P1's min_len); 0 for n
 * @param scratchpad    train P1's encoder-decoder on the prefix parities instead of the encoder on {@code task}
 * @param restrictedSize train on this many fixed inputs (P1's E5) instead of fresh uniform batches; 0 for fresh
 * @param restrictedSeed seed choosing the restricted inputs
 * @param schedule      learning-rate schedule spec (constant, warmup:W, linear[:F[:W]], cosine[:F[:W]], invsqrt:W)
 * @param clip          gradient-norm clipping threshold per member; 0 for none
 * @param logEvery      steps between training-loss lines in metrics.jsonl
 * @param evalEvery     steps between evaluations on fresh data (and at the end)
 * @param evalBatches   batches per evaluation
 * @param checkpointEvery steps between checkpoints (and at the end)
 * @param keepCheckpoints keep every checkpoint's model rather than only the last two checkpoints (for P3's norm trajectory, {@code measure norms})
 */
public record RunConfig(String task, int n, int minN, boolean scratchpad, int d, int layers, int heads, int maxLen, int batch,
                        long steps, double lr, double weightDecay, double beta1, double beta2, double eps,
                        String schedule, double clip, long seed, int restrictedSize, long restrictedSeed,
                        int logEvery, int evalEvery, int evalBatches, int checkpointEvery, boolean keepCheckpoints) {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** P1's training defaults for PARITY at n = 20. */
    public static RunConfig defaults() {
        return new RunConfig("parity", 20, 0, false, 128, 2, 2, 1024, 1024, 10_000, 3e-4, 0.1, 0.9, 0.999, 1e-8,
                "constant", 0, 0, 0, 0, 100, 1000, 10, 1000, false);
    }

    public RunConfig {
        require(task != null && !task.isBlank(), "task must be given");
        require(n >= 1, "n must be at least 1, got " + n);
        require(n <= maxLen, "n = " + n + " exceeds maxLen = " + maxLen);
        require(minN == 0 || (minN >= 1 && minN <= n), "minN must be 0 (one length) or in 1..n, got " + minN);
        require(minN == 0 || restrictedSize == 0, "a length range and a restricted training set do not combine");
        require(d >= 2 && d % 2 == 0, "d must be even and positive, got " + d);
        require(layers >= 1 && heads >= 1 && d % heads == 0, "layers >= 1 and heads dividing d are needed, got layers " + layers + ", heads " + heads);
        require(batch >= 1, "batch must be positive, got " + batch);
        require(steps >= 0, "steps must be >= 0, got " + steps);
        require(Double.isFinite(lr) && lr > 0, "lr must be positive, got " + lr);
        require(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        require(clip >= 0, "clip must be >= 0, got " + clip);
        require(restrictedSize >= 0, "restrictedSize must be >= 0, got " + restrictedSize);
        require(logEvery >= 1 && evalEvery >= 1 && evalBatches >= 1 && checkpointEvery >= 1,
                "logEvery, evalEvery, evalBatches and checkpointEvery must be positive");
        require(!scratchpad || restrictedSize == 0, "scratchpad runs use fresh batches (restrictedSize 0)");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** This config with fields replaced by {@code overrides} (field name → value, e.g. from command-line flags). */
    public RunConfig with(Map<String, Object> overrides) {
        ObjectNode tree = JSON.valueToTree(this);
        overrides.forEach((k, v) -> tree.set(k, JSON.valueToTree(v)));
        return fromTree(tree, null);
    }

    /**
     * The defaults with the fields of a config file: JSON for a {@code .json} name, YAML otherwise; read strictly
     * ({@link Json}: UTF-8, no duplicate key), and an unknown field is an error that names it.
     */
    public static RunConfig read(Path file) throws IOException {
        ObjectNode node = file.toString().endsWith(".json") ? Json.readObject(file) : Json.readYamlObject(file);
        ObjectNode tree = JSON.valueToTree(defaults());
        tree.setAll(node);
        return fromTree(tree, file.toString());
    }

    /** The config in a run directory's {@code config.json}, as {@link #toJson} wrote it; errors name the file. */
    public static RunConfig load(Path file) throws IOException {
        return fromTree(Json.readObject(file), file.toString());
    }

    /** The config of {@code tree}; errors name {@code source} (a file), or nothing for command-line options (null). */
    private static RunConfig fromTree(ObjectNode tree, String source) {
        String prefix = source == null ? "" : source + ": ";
        try {
            return JSON.treeToValue(tree, RunConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(prefix + "unknown field '" + FormatException.oneLine(e.getPropertyName()) + "'");
        } catch (JsonProcessingException e) {
            String problem = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : Json.problem(e);
            throw new IllegalArgumentException(prefix + FormatException.oneLine(problem));
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The config of JSON text such as a checkpoint's metadata; errors begin "config: ". */
    public static RunConfig fromJson(String json) {
        try {
            return fromTree(Json.parseObject(Path.of("config"), json), "config");
        } catch (FormatException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Whether two runs can train as members of one ensemble: all fields equal but seed, task, lr, weightDecay and restrictedSeed. */
    public boolean ensembleCompatible(RunConfig o) {
        return n == o.n && minN == o.minN && scratchpad == o.scratchpad && d == o.d && layers == o.layers && heads == o.heads
                && maxLen == o.maxLen && batch == o.batch && steps == o.steps
                && beta1 == o.beta1 && beta2 == o.beta2 && eps == o.eps && schedule.equals(o.schedule) && clip == o.clip
                && restrictedSize == o.restrictedSize && logEvery == o.logEvery && evalEvery == o.evalEvery
                && evalBatches == o.evalBatches && checkpointEvery == o.checkpointEvery;
    }

    /** A directory name for this run: task, length and seed. */
    public String defaultName() {
        String t = scratchpad ? "scratchpad" : task.replaceAll("[^A-Za-z0-9.-]+", "_");
        return t + "-n" + n + "-s" + seed;
    }
}
