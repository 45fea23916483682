package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.io.FormatException;
import org.biaslab.io.tf.WordPieceTokenizerJson;
import org.biaslab.nn.bert.LangChain4jModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tokenizer.json built from a bare vocab.txt tokenises as HuggingFace's own BERT-uncased tokenizer.json does:
 * all-MiniLM-L6-v2's, whose vocabulary is bert-base-uncased's (30,522 tokens, the same file as the SavedModel's
 * {@code assets/vocab.txt}).
 */
class WordPieceTokenizerJsonTest {
    @TempDir
    Path tmp;

    static final List<String> TEXTS = List.of("The capital of France is [MASK] .", "Hello, my dog is cute",
            "Tokenisation splits unfamiliar words: Kolmogorov–Smirnov, naïve café, 3.14159 and 2024?",
            "Ünïcode 東京 \t tabs,  double  spaces and a [SEP] [MASK][MASK] in the middle");

    @Test
    void tokenisesAsTheReferenceTokenizer() throws IOException {
        Path reference = LangChain4jModels.extracted("all-minilm-l6-v2.onnx").tokenizer();
        JsonNode vocab = new ObjectMapper().readTree(reference.toFile()).get("model").get("vocab");
        String[] byId = new String[vocab.size()];
        vocab.properties().forEach(e -> byId[e.getValue().asInt()] = e.getKey());
        Files.write(tmp.resolve("vocab.txt"), List.of(byId));
        WordPieceTokenizerJson.write(tmp.resolve("vocab.txt"), tmp.resolve("tokenizer.json"));

        try (Tokenizer ours = Tokenizer.open(tmp.resolve("tokenizer.json"), 512); Tokenizer theirs = Tokenizer.open(reference, 512)) {
            Tokenizer.Encoded a = ours.encode(TEXTS), b = theirs.encode(TEXTS);
            assertEquals(b.tokens(), a.tokens());
            assertArrayEquals(b.inputIds().toIntArray(), a.inputIds().toIntArray());
            assertArrayEquals(b.attentionMask().toIntArray(), a.attentionMask().toIntArray());
            assertEquals(List.of("[CLS]", "the", "capital", "of", "france", "is", "[MASK]", ".", "[SEP]"), a.tokens().get(0).subList(0, 9));
            assertEquals("##ov", ours.decode(vocab.get("##ov").asInt()), "a continuation keeps its ##");
        }
    }

    @Test
    void aCasedVocabularyKeepsCase() throws IOException {
        Files.write(tmp.resolve("vocab.txt"), List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "The", "the", "Paris", "."));
        WordPieceTokenizerJson.write(tmp.resolve("vocab.txt"), tmp.resolve("tokenizer.json"));
        try (Tokenizer tok = Tokenizer.open(tmp.resolve("tokenizer.json"), 512)) {
            assertEquals(List.of("[CLS]", "The", "the", "Paris", "[UNK]", "[SEP]"), tok.encode(List.of("The the Paris paris")).tokens().getFirst());
        }
    }

    @Test
    void notABertVocabulary() throws IOException {
        Files.write(tmp.resolve("vocab.txt"), List.of("a", "b", "c"));
        FormatException e = assertThrows(FormatException.class, () -> WordPieceTokenizerJson.write(tmp.resolve("vocab.txt"), tmp.resolve("tokenizer.json")));
        assertTrue(e.getMessage().endsWith("vocab.txt: no [UNK] token: not a BERT vocabulary"), e.getMessage());
        List<String> twice = new ArrayList<>(List.of("[UNK]", "[CLS]", "[SEP]", "x", "x"));
        Files.write(tmp.resolve("vocab.txt"), twice);
        e = assertThrows(FormatException.class, () -> WordPieceTokenizerJson.write(tmp.resolve("vocab.txt"), tmp.resolve("tokenizer.json")));
        assertTrue(e.getMessage().endsWith("token 'x' occurs twice (lines 4 and 5)"), e.getMessage());
    }
}
