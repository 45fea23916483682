package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
    static final List<String> LINES = List.of("In the beginning God created the heaven and the earth.",
            "And the earth was without form, and void; and darkness was upon the face of the deep.");

    @Test
    void wordsRoundTripThroughIdsAndText() {
        for (Vocabulary.Level level : List.of(Vocabulary.Level.WHITESPACE, Vocabulary.Level.WORDS)) {
            Vocabulary v = Vocabulary.build(LINES, level, 0);
            for (String line : LINES) {
                int[] ids = v.encode(line);
                assertEquals(Vocabulary.EOS, ids[ids.length - 1]);
                assertEquals(v.tokenize(line), v.tokenize(v.decode(ids)), level.toString());
            }
        }
        Vocabulary words = Vocabulary.build(LINES, Vocabulary.Level.WORDS, 0);
        assertEquals(List.of("form", ",", "and", "void", ";"), words.tokenize("form, and void;"));
        assertEquals(List.of("earth."), Vocabulary.build(LINES, Vocabulary.Level.WHITESPACE, 0).tokenize(" earth.  "));
    }

    @Test
    void charactersRoundTripExactly() {
        Vocabulary v = Vocabulary.build(LINES, Vocabulary.Level.CHARS, 0);
        for (String line : LINES) assertEquals(line, v.decode(v.encode(line)));
        assertEquals(LINES.get(0).length() + 1, v.encode(LINES.get(0)).length);
    }


    @Test
    void theCapKeepsTheMostFrequentTokensAndMapsTheRestToUnk() {
        Vocabulary v = Vocabulary.build(LINES, Vocabulary.Level.WORDS, 3);
        assertEquals(3 + 3, v.size());
        // counts: "the" 6, "and" 3 (with "And" 1 apart), "." 2 and "earth" 2 and "was" 2: ties keep first appearance
        assertEquals(List.of("<pad>", "<unk>", "<eos>", "the", "and", "earth"), List.of(v.token(0), v.token(1), v.token(2), v.token(3), v.token(4), v.token(5)));
        assertArrayEquals(new int[] {Vocabulary.UNK, 3, 5, Vocabulary.UNK, Vocabulary.EOS}, v.encode("God the earth was"));
        assertEquals("the <unk>", v.decode(new int[] {3, Vocabulary.UNK, Vocabulary.EOS, 4}));
    }

    @Test
    void savedVocabulariesLoadEqual(@TempDir Path dir) throws Exception {
        Vocabulary v = Vocabulary.build(LINES, Vocabulary.Level.CHARS, 5);
        v.save(dir.resolve("vocab.json"));
        Vocabulary w = Vocabulary.load(dir.resolve("vocab.json"));
        assertEquals(v.size(), w.size());
        assertEquals(v.level(), w.level());
        assertArrayEquals(v.encode(LINES.get(1)), w.encode(LINES.get(1)));
        Files.writeString(dir.resolve("bad.json"), "{\"level\": \"words\", \"tokens\": [\"a\"]}");
        assertThrows(org.biaslab.io.FormatException.class, () -> Vocabulary.load(dir.resolve("bad.json")));
    }

    @Test
    void unknownLevelsAndNegativeCapsAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.Level.parse("bpe"));
        assertTrue(e.getMessage().contains("whitespace, words, chars"));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(LINES, Vocabulary.Level.WORDS, -1));
    }
}
