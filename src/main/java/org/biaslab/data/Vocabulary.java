package org.biaslab.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.biaslab.io.FormatException;
import org.biaslab.io.Json;

/**
 * A closed vocabulary for word- or character-level language models, built from the training split: the
 * {@code maxTokens} most frequent tokens (ties in order of first appearance), the rest read as {@code <unk>}. Ids 0,
 * 1 and 2 are {@code <pad>}, {@code <unk>} and {@code <eos>}; every encoded sequence ends with {@code <eos>}, so the
 * model learns where a line ends (P3's reference trains on a padding id instead, which is also a word's id).
 */
public final class Vocabulary {
    public static final int PAD = 0, UNK = 1, EOS = 2;
    private static final List<String> SPECIALS = List.of("<pad>", "<unk>", "<eos>");
    private static final Pattern WORD_OR_PUNCTUATION = Pattern.compile("[\\p{L}\\p{N}_']+|[^\\p{L}\\p{N}_'\\s]");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a line is cut into tokens. */
    public enum Level {
        /** Whitespace-separated tokens, as the reference ({@code line.split()}). */
        WHITESPACE,
        /** Runs of letters, digits, '_' and apostrophes, and every other non-space character alone ("Amen." -> "Amen", "."). */
        WORDS,
        /** Unicode code points, spaces included. */
        CHARS;

        public static Level parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "whitespace" -> WHITESPACE;
                case "words" -> WORDS;
                case "chars" -> CHARS;
                default -> throw new IllegalArgumentException("unknown tokenizer '" + name + "' (whitespace, words, chars)");
            };
        }
    }

    private final Level level;
    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();

    private Vocabulary(Level level, List<String> tokens) {
        this.level = level;
        this.tokens = List.copyOf(tokens);
        for (int i = 0; i < this.tokens.size(); i++) ids.put(this.tokens.get(i), i);
    }

    /** The vocabulary of {@code lines}: specials, then up to {@code maxTokens} tokens by frequency (0: all of them). */
    public static Vocabulary build(List<String> lines, Level level, int maxTokens) {
        if (maxTokens < 0) throw new IllegalArgumentException("vocabulary: the cap must be >= 0 (0: no cap), got " + maxTokens);
        LinkedHashMap<String, Integer> counts = new LinkedHashMap<>();
        for (String line : lines) for (String t : split(line, level)) if (!SPECIALS.contains(t)) counts.merge(t, 1, Integer::sum);
        List<String> order = new ArrayList<>(counts.keySet());
        order.sort((a, b) -> Integer.compare(counts.get(b), counts.get(a))); // stable: ties keep first appearance
        if (maxTokens > 0 && order.size() > maxTokens) order = order.subList(0, maxTokens);
        List<String> all = new ArrayList<>(SPECIALS);
        all.addAll(order);
        return new Vocabulary(level, all);
    }

    public Level level() {
        return level;
    }

    /** Number of ids, specials included. */
    public int size() {
        return tokens.size();
    }

    /** The id of {@code token}, {@link #UNK} when it is not in the vocabulary. */
    public int id(String token) {
        return ids.getOrDefault(token, UNK);
    }

    public String token(int id) {
        return tokens.get(id);
    }

    /** The tokens of a line at this vocabulary's level (no specials). */
    public List<String> tokenize(String line) {
        return split(line, level);
    }

    /** A line's ids followed by {@link #EOS}. */
    public int[] encode(String line) {
        List<String> t = tokenize(line);
        int[] out = new int[t.size() + 1];
        for (int i = 0; i < t.size(); i++) out[i] = id(t.get(i));
        out[t.size()] = EOS;
        return out;
    }

    /** The text of ids up to the first {@code <eos>}, padding dropped; word tokens are joined by single spaces. */
    public String decode(int[] sequence) {
        StringBuilder sb = new StringBuilder();
        for (int id : sequence) {
            if (id == EOS) break;
            if (id == PAD) continue;
            if (!sb.isEmpty() && level != Level.CHARS) sb.append(' ');
            sb.append(token(id));
        }
        return sb.toString();
    }

    /** Writes the vocabulary as JSON: {@code {"level": …, "tokens": [...]}} with ids as list positions. */
    public void save(Path file) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("level", level.name().toLowerCase(Locale.ROOT));
        out.put("tokens", tokens);
        JSON.writeValue(file.toFile(), out);
    }

    /** Reads a vocabulary written by {@link #save}; a malformed file is a {@link FormatException} naming it. */
    public static Vocabulary load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no vocabulary file");
        JsonNode node = Json.readObject(file);
        if (!node.path("tokens").isArray() || !node.path("level").isTextual()) {
            throw new FormatException(file, "a vocabulary needs 'level' and 'tokens'");
        }
        List<String> tokens = new ArrayList<>();
        node.get("tokens").forEach(t -> tokens.add(t.asText()));
        if (tokens.size() < SPECIALS.size() || !tokens.subList(0, SPECIALS.size()).equals(SPECIALS)) {
            throw new FormatException(file, "a vocabulary starts with " + SPECIALS);
        }
        try {
            return new Vocabulary(Level.parse(node.get("level").asText()), tokens);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage());
        }
    }

    private static List<String> split(String line, Level level) {
        List<String> out = new ArrayList<>();
        switch (level) {
            case WHITESPACE -> {
                for (String t : line.strip().split("\\s+")) if (!t.isEmpty()) out.add(t);
            }
            case WORDS -> {
                Matcher m = WORD_OR_PUNCTUATION.matcher(line);
                while (m.find()) out.add(m.group());
            }
            case CHARS -> line.codePoints().forEach(c -> out.add(Character.toString(c)));
        }
        return out;
    }
}
