package org.biaslab.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.data.Tokenizer;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.probe.interpret.ActivationPatching;
import org.biaslab.probe.interpret.LogitLens;
import org.biaslab.probe.interpret.PatchEffect;
import org.biaslab.probe.interpret.TokenInputs;
import org.biaslab.probe.interpret.TopTokens;
import org.biaslab.tensor.Tensor;
import picocli.CommandLine.Option;

/**
 * {@code analyse MODEL --logit-lens} and {@code analyse MODEL --patch GLOB --from A --to B}: the options and printing of
 * {@link LogitLens} and {@link ActivationPatching}. A picocli mixin of {@link AnalyseCommand}.
 */
final class Interpret {
    @Option(names = "--logit-lens", description = "with an input: the most probable tokens of every hidden state read through the LM head (GPT-2, BERT with its MLM head)")
    boolean logitLens;

    @Option(names = "--position", paramLabel = "P", description = "with --logit-lens or --patch: the token position reported (default: the first [MASK], else the last token)")
    Integer position;

    @Option(names = "--patch", paramLabel = "GLOB", description = "run --to with the hook points matching GLOB taken from the run on --from; report the change of the output")
    String patch;

    @Option(names = "--patch-position", paramLabel = "P", description = "with --patch: patch token P only (default: every token)")
    Integer patchPosition;

    @Option(names = "--from", paramLabel = "TEXT_A", description = "with --patch: the text whose activations are patched in")
    String from;

    @Option(names = "--to", paramLabel = "TEXT_B", description = "with --patch: the text that is run with them")
    String to;

    @Option(names = "--lens-k", paramLabel = "K", defaultValue = "3", description = "tokens shown per state or output. Default: ${DEFAULT-VALUE}.")
    int k;

    /** The top tokens that hidden state {@code state} (0 = embeddings) predicts at the position. */
    record LensRow(int state, List<FillMask.Guess> top) {}

    /** The logit lens at one position of sequence 0. */
    record Lens(int position, String token, List<LensRow> states) {}

    /** Patching's effect on the output ({@link PatchEffect}), and the top tokens at the position of B's, the patched and A's output (LM heads only). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Patch(List<String> points, int position, double maxAbs, double relative, double restored, List<FillMask.Guess> to, List<FillMask.Guess> patched, List<FillMask.Guess> from) {}

    boolean requested() {
        return logitLens || patch != null;
    }

    /** Checks the options that go together. */
    void check(boolean hasInput) {
        if ((from != null || to != null) && patch == null) throw new IllegalArgumentException("--from and --to need --patch");
        if (patchPosition != null && patch == null) throw new IllegalArgumentException("--patch-position needs --patch");
        if (patch != null && (from == null || to == null)) throw new IllegalArgumentException("--patch needs --from TEXT_A and --to TEXT_B");
        if (logitLens && !hasInput) throw new IllegalArgumentException("--logit-lens needs an input: --text, --file or --ids");
        if (k < 1) throw new IllegalArgumentException("--lens-k must be at least 1, not " + k);
    }

    /** The logit lens of {@code input}, whose sequences have {@code tokens} (null for an image, which has no lens). */
    Lens lens(PretrainedModel m, PretrainedModel.Input input, List<List<String>> sequences, Path tokenizerJson) throws IOException {
        List<Tensor> logits = LogitLens.of(m, input);
        List<String> tokens = sequences.getFirst();
        int p = position(tokens);
        try (Tokenizer tok = tokenizerJson == null ? null : Tokenizer.open(tokenizerJson, 512)) {
            List<LensRow> rows = new ArrayList<>();
            for (int l = 0; l < logits.size(); l++) rows.add(new LensRow(l, guesses(logits.get(l), p, tok)));
            return new Lens(p, tokens.get(p), rows);
        }
    }

    /** Patching --from into --to at --patch. */
    Patch patch(PretrainedModel m, Path tokenizerJson, String modelName) throws IOException {
        if (tokenizerJson == null) throw new IllegalArgumentException(modelName + ": no tokenizer.json next to the model; pass --tokenizer");
        try (Tokenizer tok = Tokenizer.open(tokenizerJson, 512)) {
            Tokenizer.Encoded a = tok.encode(List.of(from)), b = tok.encode(List.of(to));
            if (a.inputIds().dim(1) != b.inputIds().dim(1)) {
                throw new IllegalArgumentException("--from has " + a.inputIds().dim(1) + " tokens " + a.tokens().getFirst() + ", --to has " + b.inputIds().dim(1)
                        + " " + b.tokens().getFirst() + "; patching needs texts of the same token count");
            }
            var o = ActivationPatching.run(m, input(m, a), input(m, b), patch, patchPosition);
            int p = position(b.tokens().getFirst());
            boolean lm = o.clean().dim(2) == TokenInputs.vocabulary(m);
            PatchEffect e = PatchEffect.of(o);
            return new Patch(List.copyOf(o.points()), p, e.maxAbs(), e.relative(), e.restored(), lm ? guesses(o.clean(), p, tok) : null,
                    lm ? guesses(o.patched(), p, tok) : null, lm ? guesses(o.source(), p, tok) : null);
        }
    }

    private static PretrainedModel.Input input(PretrainedModel m, Tokenizer.Encoded e) {
        return new PretrainedModel.Input(e.inputIds(), e.attentionMask(), e.tokenTypeIds(), null, TokenInputs.decoder(m, e.inputIds(), null));
    }

    private int position(List<String> tokens) {
        if (position != null) {
            if (position < 0 || position >= tokens.size()) throw new IllegalArgumentException("--position " + position + " is outside the " + tokens.size() + " tokens");
            return position;
        }
        int mask = tokens.indexOf("[MASK]");
        return mask >= 0 ? mask : tokens.size() - 1;
    }

    private List<FillMask.Guess> guesses(Tensor logits, int p, Tokenizer tok) {
        return TopTokens.of(logits, 0, p, k).stream().map(g -> new FillMask.Guess(tok == null ? Integer.toString(g.id()) : tok.decode(g.id()), g.probability())).toList();
    }

    static void print(Lens lens) {
        System.out.printf("%nlogit lens at token %d (%s)%n", lens.position(), lens.token());
        for (LensRow r : lens.states()) System.out.printf("%-6d %s%n", r.state(), guessesLine(r.top()));
    }

    static void print(Patch p) {
        System.out.printf("%npatched %s%n", String.join(", ", p.points()));
        System.out.printf("output change: max |Δ| %.4g, ‖Δ‖/‖y_to‖ %.4g, share of the from−to difference restored %.4f%n",
                p.maxAbs(), p.relative(), p.restored());
        if (p.to() == null) return;
        System.out.printf("at token %d:%n  to       %s%n  patched  %s%n  from     %s%n", p.position(), guessesLine(p.to()), guessesLine(p.patched()), guessesLine(p.from()));
    }

    private static String guessesLine(List<FillMask.Guess> g) {
        return String.join("  ", g.stream().map(x -> String.format("%-12s %.4f", x.token(), x.probability())).toList());
    }
}
