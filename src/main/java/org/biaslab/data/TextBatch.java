package org.biaslab.data;

import java.util.List;
import org.biaslab.tensor.Tensor;

/**
 * Token sequences padded on the right to the batch's longest: int32 {@code tokens} (B, T) with {@link Vocabulary#PAD}
 * after each sequence's end, and int32 {@code mask} (B, T), 1 at real tokens and 0 at padding. A next-token language
 * model reads {@link #inputs()} and predicts {@link #targets()} where {@link #targetMask()} is 1.
 */
public record TextBatch(Tensor tokens, Tensor mask) {
    /**
     * Pads {@code sequences} (each cut to its first {@code maxLen} tokens) into one batch; every sequence needs at
     * least two tokens after the cut, one to read and one to predict.
     */
    public static TextBatch pad(List<int[]> sequences, int maxLen) {
        if (sequences.isEmpty()) throw new IllegalArgumentException("text batch: no sequences");
        if (maxLen < 2) throw new IllegalArgumentException("text batch: maxLen must be at least 2, got " + maxLen);
        int t = 0;
        for (int[] s : sequences) {
            if (s.length < 2) throw new IllegalArgumentException("text batch: a sequence of " + s.length + " token(s) has nothing to predict");
            t = Math.max(t, Math.min(s.length, maxLen));
        }
        int b = sequences.size();
        int[] ids = new int[b * t], mask = new int[b * t];
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            for (int j = 0; j < Math.min(s.length, t); j++) {
                ids[i * t + j] = s[j];
                mask[i * t + j] = 1;
            }
        }
        return new TextBatch(Tensor.ofInts(ids, b, t), Tensor.ofInts(mask, b, t));
    }

    /** Number of sequences B. */
    public int size() {
        return tokens.dim(0);
    }

    /** tokens[:, :-1], (B, T − 1). */
    public Tensor inputs() {
        return tokens.slice(1, 0, tokens.dim(1) - 1);
    }

    /** mask[:, :-1], (B, T − 1): 1 where an input token is real. */
    public Tensor inputMask() {
        return mask.slice(1, 0, mask.dim(1) - 1);
    }

    /** tokens[:, 1:], (B, T − 1). */
    public Tensor targets() {
        return tokens.slice(1, 1, tokens.dim(1));
    }

    /** mask[:, 1:], (B, T − 1): 1 where a target is a real token. */
    public Tensor targetMask() {
        return mask.slice(1, 1, mask.dim(1));
    }
}
