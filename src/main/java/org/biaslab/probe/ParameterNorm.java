package org.biaslab.probe;

import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.biaslab.nn.Module;

/**
 * The parameter norm ‖θ‖₂ = sqrt(Σ_p ‖p‖_F²) over the named parameters whose name does not contain a match of an
 * exclusion pattern (a regular expression; blank excludes nothing) (docs/papers.md §P1.6: P1 excludes {@code positional_encoding}). Accumulated in float64, one value
 * per ensemble member, summed where the parameters live (a GPU model's parameters are not copied to the host).
 */
public final class ParameterNorm {
    /** P1's exclusion: the learned positional embeddings. */
    public static final String P1_EXCLUDE = "positional_encoding";

    private ParameterNorm() {}

    /** ‖θ‖₂ of each member: (E) values, one for a single model. */
    public static double[] of(Module model, String exclude) {
        double[] sq = squared(model, exclude);
        for (int e = 0; e < sq.length; e++) sq[e] = Math.sqrt(sq[e]);
        return sq;
    }

    /** ‖θ‖₂² of each member (P1's dynamic measurements log this). */
    public static double[] squared(Module model, String exclude) {
        Predicate<String> skip = excludes(exclude);
        int members = model.members();
        double[] sq = new double[members];
        for (var entry : model.namedParameters().entrySet()) {
            if (skip.test(entry.getKey())) continue;
            double[] p = entry.getValue().squaredSums(members);
            for (int e = 0; e < members; e++) sq[e] += p[e];
        }
        return sq;
    }

    /** Whether a parameter name contains a match of {@code exclude}; a blank pattern excludes nothing. */
    static Predicate<String> excludes(String exclude) {
        if (exclude == null || exclude.isBlank()) return name -> false;
        Pattern p = Pattern.compile(exclude);
        return name -> p.matcher(name).find();
    }
}
