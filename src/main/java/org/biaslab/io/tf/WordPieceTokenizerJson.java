package org.biaslab.io.tf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A HuggingFace {@code tokenizer.json} for a BERT WordPiece {@code vocab.txt} (one token a line, id = line number),
 * as {@code BertTokenizerFast} builds it: BertNormalizer (lower-casing when the vocabulary is uncased), BertPreTokenizer,
 * WordPiece with {@code ##} continuations and {@code [UNK]}, [CLS] … [SEP] around a text, and [PAD], [UNK], [CLS],
 * [SEP], [MASK] as special tokens matched before normalisation (so "[MASK]" in a text is one token).
 */
public final class WordPieceTokenizerJson {
    private WordPieceTokenizerJson() {}

    private static final List<String> SPECIAL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    /**
     * Writes the tokenizer of {@code vocabTxt} to {@code tokenizerJson}. The vocabulary is taken as uncased (texts
     * lower-cased, accents stripped) when no token outside brackets has an upper-case letter, as in Google's uncased
     * releases.
     */
    public static void write(Path vocabTxt, Path tokenizerJson) throws IOException {
        List<String> tokens = Files.readAllLines(vocabTxt, StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = json.createObjectNode();
        for (int i = 0; i < tokens.size(); i++) {
            if (vocab.has(tokens.get(i))) throw new org.biaslab.io.FormatException(vocabTxt, "token '" + tokens.get(i) + "' occurs twice (lines " + (vocab.get(tokens.get(i)).asInt() + 1) + " and " + (i + 1) + ")");
            vocab.put(tokens.get(i), i);
        }
        for (String s : List.of("[UNK]", "[CLS]", "[SEP]")) {
            if (!vocab.has(s)) throw new org.biaslab.io.FormatException(vocabTxt, "no " + s + " token: not a BERT vocabulary");
        }
        boolean uncased = tokens.stream().noneMatch(t -> !t.startsWith("[") && !t.equals(t.toLowerCase(java.util.Locale.ROOT)));

        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : SPECIAL) {
            if (!vocab.has(s)) continue;
            added.addObject().put("id", vocab.get(s).asInt()).put("content", s).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        ObjectNode normalizer = root.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true)
                .put("handle_chinese_chars", true).put("lowercase", uncased);
        normalizer.putNull("strip_accents"); // null: follow lowercase, as BERT's BasicTokenizer does
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor").put("type", "BertProcessing");
        post.putArray("sep").add("[SEP]").add(vocab.get("[SEP]").asInt());
        post.putArray("cls").add("[CLS]").add(vocab.get("[CLS]").asInt());
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        root.putObject("model").put("type", "WordPiece").put("unk_token", "[UNK]").put("continuing_subword_prefix", "##")
                .put("max_input_chars_per_word", 100).set("vocab", vocab);
        Path tmp = Files.createTempFile(tokenizerJson.toAbsolutePath().getParent(), "tokenizer", ".part");
        try {
            json.writeValue(tmp.toFile(), root);
            Files.move(tmp, tokenizerJson, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
