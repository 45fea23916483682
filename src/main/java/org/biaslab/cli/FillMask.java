package org.biaslab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.data.Tokenizer;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.bert.BertForMaskedLm;
import org.biaslab.probe.interpret.TopTokens;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import picocli.CommandLine.Option;

/**
 * {@code analyse MODEL --fill-mask TEXT}: the masked-language model's k most probable tokens, p(token | text) =
 * softmax(logits) at each [MASK] of the text. A picocli mixin of {@link AnalyseCommand}.
 */
final class FillMask {
    @Option(names = "--fill-mask", paramLabel = "TEXT", description = "print the most probable tokens at each [MASK] of TEXT (a model with an MLM head, e.g. bert-base-uncased-tf)")
    String text;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "tokens printed per [MASK] with --fill-mask. Default: ${DEFAULT-VALUE}.")
    int k;

    /** A token and its probability. */
    record Guess(String token, double probability) {}

    /** The guesses at token position {@code position} (0 = [CLS]). */
    record Slot(int position, List<Guess> top) {}

    boolean requested() {
        return text != null;
    }

    /** Predicts and prints (JSON with {@code json}); exit code 0. */
    int run(String modelName, PretrainedModel m, Path tokenizerJson, boolean json) throws IOException {
        if (!(m instanceof BertForMaskedLm mlm)) throw new IllegalArgumentException(modelName + " has no masked-language-model head (cls/predictions); --fill-mask needs one");
        if (tokenizerJson == null) throw new IllegalArgumentException(modelName + ": no tokenizer.json next to the model; pass --tokenizer");
        List<Slot> slots = predict(mlm, tokenizerJson);
        if (json) System.out.println(BoolfnCommand.JSON.writeValueAsString(slots));
        else {
            for (Slot s : slots) {
                System.out.printf("[MASK] at token %d:%n", s.position());
                for (Guess g : s.top()) System.out.printf("  %-16s %.4f%n", g.token(), g.probability());
            }
        }
        return 0;
    }

    List<Slot> predict(BertForMaskedLm m, Path tokenizerJson) throws IOException {
        if (k < 1) throw new IllegalArgumentException("--top-k must be at least 1, not " + k);
        try (Tokenizer tok = Tokenizer.open(tokenizerJson, 512)) {
            Tokenizer.Encoded enc = tok.encode(List.of(text));
            List<String> tokens = enc.tokens().getFirst();
            if (!tokens.contains("[MASK]")) throw new IllegalArgumentException("--fill-mask: the text has no [MASK] token: " + text);
            Tensor logits; // (1, T, V)
            try (var noTape = GradMode.off()) {
                logits = m.logits(PretrainedModel.Input.tokens(enc.inputIds(), enc.attentionMask()));
            }
            List<Slot> slots = new ArrayList<>();
            for (int t = 0; t < tokens.size(); t++) {
                if (!tokens.get(t).equals("[MASK]")) continue;
                List<Guess> top = new ArrayList<>();
                for (TopTokens.Prediction p : TopTokens.of(logits, 0, t, k)) top.add(new Guess(tok.decode(p.id()), p.probability()));
                slots.add(new Slot(t, top));
            }
            return slots;
        }
    }
}
