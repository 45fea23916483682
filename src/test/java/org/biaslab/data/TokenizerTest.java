package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.biaslab.io.FormatException;
import org.biaslab.nn.bert.LangChain4jModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HuggingFace tokenizer of all-MiniLM-L6-v2 (BERT uncased WordPiece) through DJL's binding. */
class TokenizerTest {
    @TempDir
    Path tmp;

    @Test
    void idsAreTheVocabularysAndBatchesArePaddedToTheLongest() throws IOException {
        Path json = LangChain4jModels.extracted("all-minilm-l6-v2.onnx").tokenizer();
        JsonNode vocab = new ObjectMapper().readTree(json.toFile()).get("model").get("vocab");
        List<String> texts = List.of("Hello, my dog is cute", "Tokenisation splits unfamiliar words: Kolmogorov–Smirnov, naïve café.");
        try (Tokenizer tok = Tokenizer.open(json, 512)) {
            Tokenizer.Encoded e = tok.encode(texts);
            int t = e.inputIds().dim(1);
            int[] ids = e.inputIds().toIntArray(), mask = e.attentionMask().toIntArray(), types = e.tokenTypeIds().toIntArray();
            assertEquals(List.of("[CLS]", "hello", ",", "my", "dog", "is", "cute", "[SEP]"), e.tokens().get(0).subList(0, 8));
            for (int b = 0; b < 2; b++) {
                List<String> tokens = e.tokens().get(b);
                assertEquals(t, tokens.size());
                int real = 0;
                for (int i = 0; i < t; i++) {
                    assertEquals(vocab.get(tokens.get(i)).asInt(), ids[b * t + i], "id of " + tokens.get(i));
                    assertEquals(tokens.get(i).equals("[PAD]") ? 0 : 1, mask[b * t + i]);
                    assertEquals(0, types[b * t + i]);
                    real += mask[b * t + i];
                }
                assertEquals("[SEP]", tokens.get(real - 1));
            }
            assertTrue(java.util.stream.IntStream.range(t, 2 * t).allMatch(i -> mask[i] == 1), "the longest text has no padding");
        }
        try (Tokenizer tok = Tokenizer.open(json, 6)) {
            assertEquals(List.of("[CLS]", "hello", ",", "my", "dog", "[SEP]"), tok.encode(List.of("Hello, my dog is cute")).tokens().getFirst());
        }
    }

    @Test
    void missingAndMalformedFilesAreNamed() throws IOException {
        Path missing = tmp.resolve("none.json");
        assertThrows(NoSuchFileException.class, () -> Tokenizer.open(missing, 512));
        Path bad = Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": 3}");
        FormatException e = assertThrows(FormatException.class, () -> Tokenizer.open(bad, 512));
        assertTrue(e.getMessage().startsWith(bad + ": not a HuggingFace tokenizer"), e.getMessage());
    }
}
