package org.biaslab.nn.bert;

import org.biaslab.nn.Activation;

/**
 * The sizes of a BERT encoder, named as HuggingFace's {@code BertConfig} ({@code vocab_size}, {@code hidden_size},
 * {@code num_hidden_layers}, {@code num_attention_heads}, {@code intermediate_size}, {@code hidden_act},
 * {@code max_position_embeddings}, {@code type_vocab_size}, {@code layer_norm_eps}, {@code initializer_range},
 * {@code pad_token_id}).
 */
public record BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
                         Activation hiddenAct, int maxPositionEmbeddings, int typeVocabSize, double layerNormEps,
                         double initializerRange, int padTokenId) {
    public BertConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0 || intermediateSize <= 0
                || maxPositionEmbeddings <= 0 || typeVocabSize <= 0) {
            throw new IllegalArgumentException("bert: sizes must be positive: " + this);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("bert: hidden_size " + hiddenSize + " is not divisible by " + numAttentionHeads + " heads");
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) throw new IllegalArgumentException("bert: pad_token_id " + padTokenId + " is outside the vocabulary of " + vocabSize);
    }

    /** d_head = hidden_size / num_attention_heads. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
