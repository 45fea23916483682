package org.biaslab.probe.interpret;

import java.util.ArrayList;
import java.util.List;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.bert.BertForMaskedLm;
import org.biaslab.nn.gpt2.Gpt2;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * The logit lens (nostalgebraist 2020): every hidden state h_l read through the model's own unembedding, as if the
 * layers above l were skipped. GPT-2: ln_f(h_l) W_Eᵀ (HF's last hidden state already passed {@code ln_f}); BERT with
 * its MLM head: LN(gelu(h_l W_tᵀ + b_t)) Eᵀ + b. The last state's lens is the model's own logits.
 */
public final class LogitLens {
    private LogitLens() {}

    /** Logits (B, T, V) of every hidden state (0 = embeddings … L). */
    public static List<Tensor> of(PretrainedModel m, PretrainedModel.Input input) {
        try (var noTape = GradMode.off()) {
            List<Tensor> hidden = m.hiddenStates(input);
            List<Tensor> logits = new ArrayList<>();
            for (int l = 0; l < hidden.size(); l++) logits.add(unembed(m, hidden.get(l), l == hidden.size() - 1));
            return logits;
        }
    }

    /** The unembedding of a residual stream h (B, T, d) → (B, T, V); {@code normed}: h already passed GPT-2's ln_f. */
    static Tensor unembed(PretrainedModel m, Tensor h, boolean normed) {
        return switch (m) {
            case Gpt2 g -> {
                Tensor x = normed ? h : ((LayerNorm) g.namedModules().get("ln_f")).forward(h);
                yield x.matmulT(g.namedParameters().get("wte.weight")); // (B, T, d) x (V, d)ᵀ -> (B, T, V)
            }
            case BertForMaskedLm b -> b.head().forward(h, b.bert().namedParameters().get("embeddings.word_embeddings.weight"));
            default -> throw new IllegalArgumentException("a " + m.architecture() + " model without a language-model head has no logit lens "
                    + "(GPT-2, or BERT with its MLM head such as bert-base-uncased-tf)");
        };
    }
}
