package org.biaslab.nn.bert;

import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * BERT's masked-language-model head, HuggingFace's {@code cls.predictions}: logits = LN(act(h W_tᵀ + b_t)) Eᵀ + b,
 * the decoder tied to the word embeddings E (V, d). Children {@code transform.dense}, {@code transform.LayerNorm};
 * parameter {@code bias} (V). Hook {@code hook_logits}.
 */
public final class BertMlmHead extends Module {
    private final Linear dense;
    private final LayerNorm norm;
    private final Activation act;

    public BertMlmHead(BertConfig c, Init init) {
        super(init.members());
        dense = child("transform.dense", new Linear(c.hiddenSize(), c.hiddenSize(), true, init));
        norm = child("transform.LayerNorm", new LayerNorm(c.hiddenSize(), c.layerNormEps(), true, init));
        register("bias", init.constant(0, c.vocabSize()));
        act = c.hiddenAct();
    }

    /** A head initialised as HuggingFace's {@code _init_weights}: dense weight N(0, initializer_range²), biases 0, γ = 1, β = 0. */
    static BertMlmHead initialised(BertConfig c, DType dtype, long seed) {
        Init init = new Init(dtype, seed);
        BertMlmHead head = new BertMlmHead(c, init);
        head.load(java.util.Map.of("transform.dense.weight", init.normal(c.initializerRange(), c.hiddenSize(), c.hiddenSize()),
                "transform.dense.bias", init.constant(0, c.hiddenSize()), "transform.LayerNorm.weight", init.constant(1, c.hiddenSize()),
                "transform.LayerNorm.bias", init.constant(0, c.hiddenSize()), "bias", init.constant(0, c.vocabSize())));
        return head;
    }

    /** The last hidden state (B, T, d) and the word embeddings E (V, d) -> logits (B, T, V). */
    public Tensor forward(Tensor h, Tensor wordEmbeddings) {
        int b = h.dim(0), t = h.dim(1), d = h.dim(2), v = wordEmbeddings.dim(0);
        Tensor x = norm.forward(act.apply(dense.forward(h)));                        // (B, T, d)
        Tensor logits = x.reshape(b * t, d).matmulT(wordEmbeddings).add(p("bias")); // (B·T, d) x (V, d)ᵀ -> (B·T, V)
        return hook("hook_logits", logits.reshape(b, t, v));
    }
}
