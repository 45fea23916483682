package org.biaslab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.io.Utf8;
import org.biaslab.tensor.Rng;

/**
 * A text corpus for language modelling, one sequence per line, as P3's reference reads WikiText and PTB: lines are
 * trimmed, blank lines and lines starting with "=" (WikiText's headings) are skipped.
 *
 * @param train the training sequences, in file order
 * @param dev   the held-out sequences
 */
public record Corpus(List<String> train, List<String> dev) {
    public Corpus {
        train = List.copyOf(train);
        dev = List.copyOf(dev);
    }

    /** The sequences of {@code file} (UTF-8); a missing file, invalid UTF-8, or no sequence at all is an error naming it. */
    public static List<String> readLines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no corpus file");
        List<String> out = new ArrayList<>();
        for (String line : Utf8.read(file).lines().toList()) {
            String s = line.strip();
            if (!s.isEmpty() && s.charAt(0) != '=') out.add(s);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": the corpus has no sequences (only blank or '=' lines)");
        return out;
    }

    /** Training and dev sequences from separate files. */
    public static Corpus of(Path train, Path dev) throws IOException {
        return new Corpus(readLines(train), readLines(dev));
    }

    /**
     * One file split at random: each line goes to dev with probability {@code devFraction}, decided by a generator
     * seeded with {@code seed}, so the split is repeatable; both parts keep file order and neither may be empty.
     */
    public static Corpus split(Path file, double devFraction, long seed) throws IOException {
        if (!(devFraction > 0 && devFraction < 1)) throw new IllegalArgumentException("corpus: dev fraction must be in (0, 1), got " + devFraction);
        List<String> lines = readLines(file), train = new ArrayList<>(), dev = new ArrayList<>();
        Rng rng = new Rng(seed);
        for (String s : lines) (rng.uniform() < devFraction ? dev : train).add(s);
        if (train.isEmpty() || dev.isEmpty()) {
            throw new IllegalArgumentException(file + ": " + lines.size() + " sequences are too few to split with dev fraction " + devFraction);
        }
        return new Corpus(train, dev);
    }
}
