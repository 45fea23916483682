package org.biaslab.optim;

/**
 * A learning-rate schedule: the update made after {@code step} earlier updates (0 for the first) uses
 * base lr × {@code factor(step)}. The shapes are HuggingFace transformers' ({@code get_*_schedule_with_warmup}):
 * a warmup of W steps rises linearly from 0 at step 0 to 1 at step W, and a decay reaches its final fraction at
 * step {@code totalSteps} and stays there. Cosines use {@link StrictMath} so that runs repeat bitwise anywhere.
 */
@FunctionalInterface
public interface Schedule {
    /** The multiplier of the base learning rate for the update after {@code step} updates. */
    double factor(long step);

    /** Factor 1 throughout (P1's setting). */
    static Schedule constant() {
        return step -> 1;
    }

    /** Linear warmup over {@code warmupSteps}, then constant. */
    static Schedule warmup(long warmupSteps) {
        if (warmupSteps < 0) throw new IllegalArgumentException("schedule warmup: warmup steps must be ≥ 0, got " + warmupSteps);
        return step -> step < warmupSteps ? (double) step / warmupSteps : 1;
    }

    /** Warmup, then a straight line from 1 at the end of warmup to {@code finalFraction} at {@code totalSteps}. */
    static Schedule linear(double finalFraction, long warmupSteps, long totalSteps) {
        checkFraction(finalFraction);
        checkSteps(warmupSteps, totalSteps);
        return step -> step < warmupSteps ? (double) step / warmupSteps
                : finalFraction + (1 - finalFraction) * (1 - progress(step, warmupSteps, totalSteps));
    }

    /** Warmup, then half a cosine from 1 at the end of warmup down to {@code finalFraction} at {@code totalSteps}. */
    static Schedule cosine(double finalFraction, long warmupSteps, long totalSteps) {
        checkFraction(finalFraction);
        checkSteps(warmupSteps, totalSteps);
        return step -> step < warmupSteps ? (double) step / warmupSteps
                : finalFraction + (1 - finalFraction) * 0.5 * (1 + StrictMath.cos(Math.PI * progress(step, warmupSteps, totalSteps)));
    }

    /** Warmup over W ≥ 1 steps, then the inverse square root √(W / step), which is 1 at step W. */
    static Schedule inverseSqrt(long warmupSteps) {
        if (warmupSteps < 1) throw new IllegalArgumentException("schedule invsqrt: warmup steps must be ≥ 1, got " + warmupSteps);
        return step -> step < warmupSteps ? (double) step / warmupSteps : StrictMath.sqrt((double) warmupSteps / step);
    }

    /**
     * Parses a config's schedule: {@code constant}, {@code warmup:W}, {@code linear[:F[:W]]}, {@code cosine[:F[:W]]}
     * or {@code invsqrt:W}, with W warmup steps (default 0) and F the final fraction (default 0); decays end at
     * {@code totalSteps}.
     */
    static Schedule parse(String spec, long totalSteps) {
        String[] parts = spec.trim().split(":", -1);
        String kind = parts[0];
        int args = parts.length - 1;
        boolean arity = switch (kind) {
            case "constant" -> args == 0;
            case "warmup", "invsqrt" -> args == 1;
            case "linear", "cosine" -> args <= 2;
            default -> throw new IllegalArgumentException("unknown schedule '" + spec + "'" + usage());
        };
        if (!arity) throw new IllegalArgumentException("schedule '" + spec + "': wrong number of arguments" + usage());
        try {
            return switch (kind) {
                case "constant" -> constant();
                case "warmup" -> warmup(Long.parseLong(parts[1]));
                case "invsqrt" -> inverseSqrt(Long.parseLong(parts[1]));
                default -> {
                    double f = args >= 1 ? Double.parseDouble(parts[1]) : 0;
                    long w = args == 2 ? Long.parseLong(parts[2]) : 0;
                    yield kind.equals("linear") ? linear(f, w, totalSteps) : cosine(f, w, totalSteps);
                }
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("schedule '" + spec + "': an argument is not a number" + usage(), e);
        }
    }

    private static String usage() {
        return "; expected constant, warmup:W, linear[:F[:W]], cosine[:F[:W]] or invsqrt:W";
    }

    /** Fraction of the decay phase done at {@code step}, clamped to [0, 1]. */
    private static double progress(long step, long warmupSteps, long totalSteps) {
        return Math.min(1, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    }

    private static void checkFraction(double f) {
        if (!(f >= 0 && f <= 1)) throw new IllegalArgumentException("schedule: final fraction must be in [0, 1], got " + f);
    }

    private static void checkSteps(long warmupSteps, long totalSteps) {
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("schedule: warmup steps must be in [0, " + totalSteps + "] (the total steps), got " + warmupSteps);
        }
    }
}
