package org.biaslab.experiment.p2;

import java.util.List;

/**
 * One of the paper's claims and what this reproduction found: the claim, the version of the paper that makes it, the
 * verdict and the evidence in a sentence.
 */
public record Finding(String claim, String source, Verdict verdict, String evidence) {
    /** Whether the claim reproduced. */
    public enum Verdict {
        HELD("reproduced"), NOT_HELD("did not reproduce"), NOT_RESOLVED("not resolved at this scale");

        private final String words;

        Verdict(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /**
     * One setting's outcome for "a exceeds b" from the difference of the means and its standard error: +1 when the
     * difference exceeds twice the standard error, −1 when it falls below minus twice, else 0.
     */
    static int outcome(double difference, double standardError) {
        return difference > 2 * standardError ? 1 : difference < -2 * standardError ? -1 : 0;
    }

    /**
     * The verdict over settings' outcomes: held when more than half of them hold and none contradicts, not held when
     * contradictions are at least half and outnumber the settings that hold, otherwise not resolved.
     */
    static Verdict tally(List<Integer> outcomes) {
        long held = outcomes.stream().filter(o -> o > 0).count(), against = outcomes.stream().filter(o -> o < 0).count();
        if (2 * held > outcomes.size() && against == 0) return Verdict.HELD;
        if (2 * against >= outcomes.size() && against > held) return Verdict.NOT_HELD;
        return Verdict.NOT_RESOLVED;
    }

    /** "held in k of n settings, contradicted in j" for the outcomes. */
    static String counts(List<Integer> outcomes) {
        return String.format("holds in %d of %d settings, the opposite in %d (a difference counts beyond 2 standard errors over seeds)",
                outcomes.stream().filter(o -> o > 0).count(), outcomes.size(), outcomes.stream().filter(o -> o < 0).count());
    }
}
