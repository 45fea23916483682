package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
    @Test
    void blankAndHeadingLinesAreSkipped(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.txt");
        Files.writeString(f, " = Genesis 1 =\n\nIn the beginning\n   \n and the earth \n= = Section = =\nlast line");
        assertEquals(List.of("In the beginning", "and the earth", "last line"), Corpus.readLines(f));
    }

    @Test
    void missingOrEmptyCorporaAreOneLineErrors(@TempDir Path dir) throws Exception {
        assertThrows(NoSuchFileException.class, () -> Corpus.readLines(dir.resolve("absent.txt")));
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n= heading =\n  \n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Corpus.readLines(empty));
        assertTrue(e.getMessage().contains("empty.txt") && !e.getMessage().contains("\n"), e.getMessage());
        Path one = dir.resolve("one.txt");
        Files.writeString(one, "only one line\n");
        assertThrows(IllegalArgumentException.class, () -> Corpus.split(one, 0.5, 0));
    }

    @Test
    void theSplitIsRepeatableDisjointAndComplete(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.txt");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1000; i++) lines.add("line " + i);
        Files.write(f, lines);
        Corpus a = Corpus.split(f, 0.2, 7), b = Corpus.split(f, 0.2, 7), c = Corpus.split(f, 0.2, 8);
        assertEquals(a, b);
        assertTrue(!a.dev().equals(c.dev()));
        assertEquals(1000, a.train().size() + a.dev().size());
        var all = new HashSet<>(a.train());
        all.addAll(a.dev());
        assertEquals(1000, all.size());
        assertTrue(a.dev().size() > 150 && a.dev().size() < 250, "about 20% dev: " + a.dev().size());
    }

    @Test
    void batchesArePaddedToTheLongestAndTruncated() {
        TextBatch b = TextBatch.pad(List.of(new int[] {5, 6, 2}, new int[] {7, 8, 9, 10, 11, 2}, new int[] {4, 2}), 5);
        assertArrayEquals(new int[] {3, 5}, b.tokens().shape().dims());
        assertArrayEquals(new int[] {5, 6, 2, 0, 0, 7, 8, 9, 10, 11, 4, 2, 0, 0, 0}, b.tokens().toIntArray());
        assertArrayEquals(new int[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, b.mask().toIntArray());
        assertArrayEquals(new int[] {6, 2, 0, 0, 8, 9, 10, 11, 2, 0, 0, 0}, b.targets().toIntArray());
        assertArrayEquals(new int[] {1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0}, b.targetMask().toIntArray());
        assertArrayEquals(new int[] {2, 4}, TextBatch.pad(List.of(new int[] {1, 2, 3, 4}, new int[] {5, 6}), 9).tokens().shape().dims());
        assertThrows(IllegalArgumentException.class, () -> TextBatch.pad(List.of(new int[] {2}), 5));
    }
}
