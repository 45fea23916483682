package org.biaslab.nn.lm;

import java.util.ArrayList;
import java.util.List;
import org.biaslab.nn.Embedding;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.nn.PositionalEmbedding;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * P3's causal transformer language model ({@code src/language_model.py}): token embedding {@code embed} plus
 * learned absolute positions {@code pos_embed} (added), {@code layers.0 … layers.L−1} ({@link LmLayer}), a final
 * LayerNorm {@code norm} for {@link LmVariant#PRE_LN} only, and the {@code classifier} Linear(d, vocab). Each
 * position sees itself and the positions before it; padding is on the right, so causal masking alone already hides
 * it from real tokens, and an attention mask, where given, hides it from the padded positions too.
 */
public final class LanguageModel extends Module implements PretrainedModel {
    private final LmConfig config;
    private final DType dtype;
    private final Embedding embed;
    private final PositionalEmbedding posEmbed;
    private final List<LmLayer> layers = new ArrayList<>();
    private final LayerNorm norm;
    private final Linear classifier;

    public LanguageModel(LmConfig c, Init init) {
        super(init.members());
        config = c;
        dtype = init.dtype();
        embed = child("embed", new Embedding(c.vocab(), c.d(), init));
        posEmbed = child("pos_embed", new PositionalEmbedding(PositionalEmbedding.Kind.LEARNED_ADDED, c.maxLen(), c.d(), init));
        for (int i = 0; i < c.layers(); i++) layers.add(child("layers." + i, new LmLayer(c, init)));
        norm = c.variant() == LmVariant.PRE_LN ? child("norm", new LayerNorm(c.d(), 1e-5, true, init)) : null;
        classifier = child("classifier", new Linear(c.d(), c.vocab(), c.bias(), init));
    }

    public LmConfig config() {
        return config;
    }

    /**
     * Next-token logits (…, T, vocab) of int32 {@code ids} (B, T); an ensemble reads the same ids in every member and
     * returns (E, B, T, vocab). {@code attentionMask} (B, T), 1 at real tokens, may be null.
     */
    public Tensor forward(Tensor ids, Tensor attentionMask) {
        return classifier.forward(encode(ids, attentionMask)); // (…, T, d) x (vocab, d)ᵀ -> (…, T, vocab)
    }

    /** The final encodings (…, T, d) the classifier reads (after the final LN in Pre-LN). */
    public Tensor encode(Tensor ids, Tensor attentionMask) {
        List<Tensor> states = states(ids, attentionMask);
        Tensor last = states.get(states.size() - 1);
        return norm == null ? last : norm.forward(last);
    }

    /** The embeddings, then the residual stream after each layer. */
    private List<Tensor> states(Tensor ids, Tensor attentionMask) {
        if (ids.shape().rank() != 2 || ids.dtype() != DType.I32) throw new IllegalArgumentException("LM: ids must be int32 (B, T), got " + ids.dtype() + " " + ids.shape());
        int t = ids.dim(1);
        if (t > config.maxLen()) throw new IllegalArgumentException("LM: " + t + " positions exceed the model's " + config.maxLen());
        if (attentionMask != null && !attentionMask.shape().equals(ids.shape())) {
            throw new IllegalArgumentException("LM: attention mask " + attentionMask.shape() + " does not match ids " + ids.shape());
        }
        Tensor x = posEmbed.forward(embed.forward(perMember(ids))); // (…, B, T, d)
        List<Tensor> out = new ArrayList<>();
        out.add(x);
        for (LmLayer layer : layers) {
            x = layer.forward(x, attentionMask);
            out.add(x);
        }
        return out;
    }

    /** ids (B, T) for one member, repeated to (E, B, T) for an ensemble. */
    private Tensor perMember(Tensor ids) {
        if (members == 1) return ids;
        int[] one = ids.toIntArray(), all = new int[members * one.length];
        for (int e = 0; e < members; e++) System.arraycopy(one, 0, all, e * one.length, one.length);
        return Tensor.ofInts(all, members, ids.dim(0), ids.dim(1));
    }

    @Override
    public String architecture() {
        return "lm";
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public int layers() {
        return config.layers();
    }

    /**
     * The embeddings and the residual stream after each layer, as HuggingFace's {@code hidden_states}; in Pre-LN the
     * last entry has the final LN applied, as GPT-2's does. (…, B, T, d) each, with the member axis for an ensemble.
     */
    @Override
    public List<Tensor> hiddenStates(Input input) {
        if (input.inputIds() == null) throw new IllegalArgumentException("LM: hidden states need input ids");
        List<Tensor> states = states(input.inputIds(), input.attentionMask());
        if (norm != null) states.set(states.size() - 1, norm.forward(states.get(states.size() - 1)));
        return states;
    }

    /** The same configuration with parameters drawn by PyTorch's default initialisation from {@code seed}. */
    @Override
    public LanguageModel randomInit(long seed) {
        return new LanguageModel(config, new Init(dtype, seed));
    }
}
