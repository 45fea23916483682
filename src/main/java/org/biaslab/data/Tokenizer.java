package org.biaslab.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.biaslab.tensor.Tensor;

/**
 * A HuggingFace {@code tokenizer.json} run by the HuggingFace tokenizers library (Rust, through DJL's binding; the
 * native library ships inside the jar). Batches are padded to their longest text and truncated at
 * {@code maxLength} tokens, special tokens ([CLS], [SEP]) added as the tokenizer's post-processor says.
 */
public final class Tokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;

    private Tokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads {@code tokenizerJson}; a missing or malformed file is an {@link IOException} naming it. */
    public static Tokenizer open(Path tokenizerJson, int maxLength) throws IOException {
        if (!Files.isRegularFile(tokenizerJson)) throw new java.nio.file.NoSuchFileException(tokenizerJson.toString(), null, "no tokenizer file");
        try {
            return new Tokenizer(HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson).optPadding(true)
                    .optTruncation(true).optMaxLength(maxLength).build());
        } catch (RuntimeException e) {
            throw new org.biaslab.io.FormatException(tokenizerJson, "not a HuggingFace tokenizer: " + e.getMessage(), e);
        }
    }

    /**
     * Token ids, attention mask (1 at tokens, 0 at padding) and token type ids, each int32 (B, T), and the tokens
     * of each text (padding included).
     */
    public record Encoded(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, List<List<String>> tokens) {}

    public Encoded encode(List<String> texts) {
        if (texts.isEmpty()) throw new IllegalArgumentException("tokenizer: no text to encode");
        Encoding[] enc = tokenizer.batchEncode(texts);
        int b = enc.length, t = enc[0].getIds().length;
        int[] ids = new int[b * t], mask = new int[b * t], types = new int[b * t];
        for (int i = 0; i < b; i++) {
            copy(enc[i].getIds(), ids, i * t);
            copy(enc[i].getAttentionMask(), mask, i * t);
            copy(enc[i].getTypeIds(), types, i * t);
        }
        List<List<String>> tokens = Arrays.stream(enc).map(e -> List.of(e.getTokens())).toList();
        return new Encoded(Tensor.ofInts(ids, b, t), Tensor.ofInts(mask, b, t), Tensor.ofInts(types, b, t), tokens);
    }

    /** The text of token {@code id} alone, special tokens included ("[MASK]"; a WordPiece continuation keeps its "##"). */
    public String decode(int id) {
        return tokenizer.decode(new long[] {id}, false);
    }

    private static void copy(long[] from, int[] to, int offset) {
        for (int i = 0; i < from.length; i++) to[offset + i] = Math.toIntExact(from[i]);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
