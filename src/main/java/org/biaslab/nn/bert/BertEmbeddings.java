package org.biaslab.nn.bert;

import org.biaslab.nn.Embedding;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * HuggingFace's {@code BertEmbeddings}: LayerNorm(word + position + token type), with absolute positions 0..T−1.
 * Children {@code word_embeddings}, {@code position_embeddings}, {@code token_type_embeddings}, {@code LayerNorm}.
 */
public final class BertEmbeddings extends Module {
    private final Embedding word, position, tokenType;
    private final LayerNorm norm;
    private final int maxPositions;

    public BertEmbeddings(BertConfig c, Init init) {
        super(init.members());
        word = child("word_embeddings", new Embedding(c.vocabSize(), c.hiddenSize(), init));
        position = child("position_embeddings", new Embedding(c.maxPositionEmbeddings(), c.hiddenSize(), init));
        tokenType = child("token_type_embeddings", new Embedding(c.typeVocabSize(), c.hiddenSize(), init));
        norm = child("LayerNorm", new LayerNorm(c.hiddenSize(), c.layerNormEps(), true, init));
        maxPositions = c.maxPositionEmbeddings();
    }

    /** int32 ids and token types (B, T) -> (B, T, d). */
    public Tensor forward(Tensor inputIds, Tensor tokenTypeIds) {
        int t = inputIds.dim(1);
        if (t > maxPositions) throw new IllegalArgumentException("bert: " + t + " tokens exceed max_position_embeddings " + maxPositions);
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) positions[i] = i;
        Tensor x = word.forward(inputIds).add(tokenType.forward(tokenTypeIds)); // (B, T, d) + (B, T, d)
        x = x.add(position.forward(Tensor.ofInts(positions, t)));              // + (T, d) broadcast over B
        return norm.forward(x);
    }
}
