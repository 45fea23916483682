package org.biaslab.probe.interpret;

import java.util.List;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;

/** A pretrained text model's input from raw token ids, checked against its vocabulary. */
public final class TokenInputs {
    private TokenInputs() {}

    /**
     * Sequences of token ids as one batch, right-padded with id 0 to the longest (attention mask 0 there);
     * {@code tokenTypes} (null: all 0) gives a type per id of each sequence; {@code decoderIds} as {@link #decoder}. An id outside the vocabulary is an error naming it.
     */
    public static PretrainedModel.Input of(PretrainedModel m, List<int[]> ids, List<int[]> tokenTypes, int[] decoderIds) {
        if (ids.isEmpty()) throw new IllegalArgumentException("no token ids");
        int vocabulary = vocabulary(m);
        Tensor typeTable = m.module().namedParameters().get("embeddings.token_type_embeddings.weight");
        if (tokenTypes != null && typeTable == null) throw new IllegalArgumentException("a " + m.architecture() + " model has no token types");
        int b = ids.size(), t = ids.stream().mapToInt(s -> s.length).max().orElseThrow();
        if (tokenTypes != null && tokenTypes.size() != b) throw new IllegalArgumentException(tokenTypes.size() + " lists of token types for " + b + " sequences of ids");
        int[] flat = new int[b * t], mask = new int[b * t], types = new int[b * t];
        for (int i = 0; i < b; i++) {
            int[] s = ids.get(i);
            if (s.length == 0) throw new IllegalArgumentException("sequence " + i + " has no token ids");
            if (tokenTypes != null && tokenTypes.get(i).length != s.length) {
                throw new IllegalArgumentException("sequence " + i + " has " + s.length + " ids but " + tokenTypes.get(i).length + " token types");
            }
            for (int k = 0; k < s.length; k++) {
                check(s[k], vocabulary, "token id");
                flat[i * t + k] = s[k];
                mask[i * t + k] = 1;
                if (tokenTypes != null) types[i * t + k] = check(tokenTypes.get(i)[k], typeTable.dim(0), "token type");
            }
        }
        Tensor inputIds = Tensor.ofInts(flat, b, t);
        return new PretrainedModel.Input(inputIds, Tensor.ofInts(mask, b, t), Tensor.ofInts(types, b, t), null, decoder(m, inputIds, decoderIds));
    }

    /**
     * The decoder ids (B, T') for input ids (B, T): {@code decoderIds} repeated for every sequence; when null, T5
     * reads the input ids (as P3 feeds it) and an encoder-only model none.
     */
    public static Tensor decoder(PretrainedModel m, Tensor inputIds, int[] decoderIds) {
        boolean t5 = m.architecture().equals("t5");
        if (decoderIds == null) return t5 ? inputIds : null;
        if (!t5) throw new IllegalArgumentException("a " + m.architecture() + " model has no decoder: decoder ids are for t5");
        int vocabulary = vocabulary(m), b = inputIds.dim(0);
        int[] rep = new int[b * decoderIds.length];
        for (int i = 0; i < rep.length; i++) rep[i] = check(decoderIds[i % decoderIds.length], vocabulary, "decoder id");
        return Tensor.ofInts(rep, b, decoderIds.length);
    }

    private static int check(int id, int vocabulary, String what) {
        if (id < 0 || id >= vocabulary) throw new IllegalArgumentException(what + " " + id + " is outside the " + (what.equals("token type") ? "types" : "vocabulary") + " (0 … " + (vocabulary - 1) + ")");
        return id;
    }

    /** Rows of the token embedding: BERT's {@code word_embeddings}, GPT-2's {@code wte}, T5's {@code shared}. */
    public static int vocabulary(PretrainedModel m) {
        var p = m.module().namedParameters();
        for (String name : List.of("embeddings.word_embeddings.weight", "wte.weight", "shared.weight")) {
            if (p.containsKey(name)) return p.get(name).dim(0);
        }
        throw new IllegalArgumentException("a " + m.architecture() + " model reads no token ids");
    }
}
