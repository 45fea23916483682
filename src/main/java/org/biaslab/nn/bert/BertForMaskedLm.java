package org.biaslab.nn.bert;

import java.util.List;
import org.biaslab.nn.Module;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;

/**
 * A BERT encoder with its masked-language-model head, as HuggingFace's {@code BertForMaskedLM}. As a
 * {@link PretrainedModel} it is the encoder: {@link #module()} is the {@link BertModel} (HuggingFace's names without
 * {@code bert.}, so probes and {@code analyse} see the same parameters as for any BERT); the head
 * ({@code cls.predictions}) is a separate root module, reached through {@link #head()} and {@link #logits}.
 */
public final class BertForMaskedLm implements PretrainedModel {
    private final BertModel bert;
    private final BertMlmHead head;

    public BertForMaskedLm(BertModel bert, BertMlmHead head) {
        this.bert = bert;
        this.head = head;
    }

    public BertModel bert() {
        return bert;
    }

    public BertMlmHead head() {
        return head;
    }

    /** The vocabulary logits (B, T, V) at every position: the head on the last hidden state, decoder tied to E. */
    public Tensor logits(Input in) {
        return head.forward(bert.hiddenStates(in).getLast(), bert.namedParameters().get("embeddings.word_embeddings.weight"));
    }

    @Override
    public String architecture() {
        return "bert";
    }

    @Override
    public Module module() {
        return bert;
    }

    @Override
    public int layers() {
        return bert.layers();
    }

    @Override
    public List<Tensor> hiddenStates(Input in) {
        return bert.hiddenStates(in);
    }

    /** Encoder and head drawn as HuggingFace initialises them, the head from {@code ~seed} (so its draws differ from the encoder's). */
    @Override
    public BertForMaskedLm randomInit(long seed) {
        BertModel fresh = bert.randomInit(seed);
        return new BertForMaskedLm(fresh, BertMlmHead.initialised(bert.config(), fresh.namedParameters().values().iterator().next().dtype(), ~seed));
    }
}
