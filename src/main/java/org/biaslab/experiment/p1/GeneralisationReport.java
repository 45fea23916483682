package org.biaslab.experiment.p1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.biaslab.experiment.p1.Generalisation.Outcome;
import org.biaslab.experiment.p1.Generalisation.Refit;
import org.biaslab.report.Charts;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;
import org.biaslab.report.Regression;
import org.biaslab.report.RunReport;
import org.biaslab.report.SweepReport;

/**
 * E5's report.html: the first step's learned functions against random completions, then P1's Figure 4 (sharpness
 * of the refits against the average sensitivity of the function they fit, styled by training-set size, random
 * completions as squares) with the regression of sharpness on sensitivity, and Figure 15 (sharpness against
 * train-set sharpness of the refits of learned functions).
 */
final class GeneralisationReport {
    static final String RANDOM = "Random function";

    private GeneralisationReport() {}

    /** The plot style of a refit, as P1 names them. */
    static String style(Refit r) {
        return r.random() ? RANDOM : "Train size: " + r.trainSize() + " samples";
    }

    /** Whether a refit enters the figures: its eval loss is below the experiment's limit. */
    static boolean kept(Generalisation e5, Refit r) {
        return r.evalLoss() < e5.maxRefitLoss();
    }

    /** Writes {@code dir/report.html} and the figures under {@code dir/plots}; returns the report's path. */
    static Path write(Generalisation e5, Path dir, List<Outcome> outcomes, List<Refit> refits, int notTrained) throws IOException {
        HtmlReport html = new HtmlReport("Hahn & Rofin E5: generalisation is biased towards low sensitivity");
        List<String> excluded = new ArrayList<>();
        firstStep(e5, html, dir, outcomes, excluded);
        List<Refit> kept = refits.stream().filter(r -> kept(e5, r)).toList();
        refits.stream().filter(r -> !kept(e5, r)).forEach(r -> excluded.add(String.format(Locale.ROOT,
                "%s: eval loss %.3g ≥ %s (the refit does not fit its function)", r.run(), r.evalLoss(), e5.maxRefitLoss())));
        sharpnessAgainstSensitivity(e5, html, dir, refits, kept);
        trainSetSharpness(html, dir, kept);
        html.section("Refits");
        html.table(List.of("run", "function", "fits", "seed", "eval/loss", "average sensitivity", "sharpness ×4", "train-set sharpness ×4"),
                refits.stream().map(r -> List.of(r.run(), style(r), r.parent(), Long.toString(r.seed()), fmt(r.evalLoss()),
                        fmt(r.sensitivity()), fmt(r.sharpness()), r.random() ? "—" : fmt(r.trainSetSharpness()))).toList());
        if (notTrained > 0) {
            excluded.add(notTrained + " of the pipeline's " + e5.runs().size() + " first-step runs not trained yet (run the other slices)");
        }
        html.exclusions(excluded);
        Path file = dir.resolve("report.html");
        html.write(file);
        return file;
    }

    /** E5 in one line: the first step's sensitivities, then the refits' sharpness by kind and its regression on sensitivity. */
    static String summary(Generalisation e5, List<Outcome> outcomes, List<Refit> refits, int notTrained) {
        List<Outcome> fit = outcomes.stream().filter(Outcome::fits).toList();
        List<Refit> kept = refits.stream().filter(r -> kept(e5, r)).toList();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "E5: %d of %d runs fit; learned sensitivity %.3f vs random completions "
                + "%.3f; %d of %d refits kept, sharpness ×4 learned %.3g vs random %.3g", fit.size(), outcomes.size(),
                fit.stream().mapToDouble(Outcome::learned).average().orElse(Double.NaN),
                fit.stream().mapToDouble(Outcome::completions).average().orElse(Double.NaN), kept.size(), refits.size(),
                kept.stream().filter(r -> !r.random()).mapToDouble(Refit::sharpness).average().orElse(Double.NaN),
                kept.stream().filter(Refit::random).mapToDouble(Refit::sharpness).average().orElse(Double.NaN)));
        Regression reg = regression(kept);
        if (reg != null) s.append(String.format(Locale.ROOT, "; slope on sensitivity %.3g (r %.2f, p %.2g)", reg.slope(), reg.r(), reg.p()));
        if (notTrained > 0) s.append(" (").append(notTrained).append(" first-step runs not trained yet)");
        return s.toString();
    }

    private static void firstStep(Generalisation e5, HtmlReport html, Path dir, List<Outcome> outcomes, List<String> excluded)
            throws IOException {
        Map<String, List<Charts.Point>> groups = new LinkedHashMap<>();
        List<List<String>> rows = new ArrayList<>();
        html.section("Learned functions against random completions");
        for (int size : e5.trainSizes()) {
            List<Outcome> fit = outcomes.stream().filter(o -> o.trainSize() == size && o.fits()).toList();
            long all = outcomes.stream().filter(o -> o.trainSize() == size).count();
            double learned = fit.stream().mapToDouble(Outcome::learned).average().orElse(Double.NaN);
            double random = fit.stream().mapToDouble(Outcome::completions).average().orElse(Double.NaN);
            html.paragraph(String.format(Locale.ROOT, "Training sets of %d inputs: %d of %d runs reproduce all their training inputs "
                    + "of a random target on n = %d bits. Their learned functions have mean average sensitivity %.3f; random completions "
                    + "of the same training data (%d per run) have %.3f (n/2 = %.1f for a random function). The learned function is "
                    + "the less sensitive one in %d of %d runs.", size, fit.size(), all, e5.n(), learned, e5.completions(), random,
                    e5.n() / 2.0, fit.stream().filter(o -> o.learned() < o.completions()).count(), fit.size()));
            for (Outcome o : fit) {
                double x = o.target() + 0.8 * o.subset() / Math.max(1, e5.subsets().size());
                groups.computeIfAbsent("learned (" + size + " inputs)", k -> new ArrayList<>()).add(new Charts.Point(x, o.learned()));
                groups.computeIfAbsent("random completion (" + size + " inputs)", k -> new ArrayList<>()).add(new Charts.Point(x, o.completions()));
            }
        }
        for (Outcome o : outcomes) {
            rows.add(List.of(o.run(), Integer.toString(o.trainSize()), Long.toString(o.target()), Long.toString(o.subset()),
                    o.fits() ? "yes" : "no", fmt(o.learned()), fmt(o.completions())));
            if (!o.fits()) excluded.add(o.run() + ": does not reproduce every training input (not compared, not refit)");
        }
        byte[] png = Figure.of(Charts.integerX(Charts.scatter("Average sensitivity", "target function (RandomFunc seed)", "average sensitivity",
                groups, false, false))).save(dir.resolve("plots"), "e5_sensitivity");
        html.figure(png, "Average sensitivity of each run's learned function and of random completions of its training data.",
                "plots/e5_sensitivity.svg");
        html.table(List.of("run", "training inputs", "target", "training set", "fits", "learned", "random completions"), rows);
    }

    private static void sharpnessAgainstSensitivity(Generalisation e5, HtmlReport html, Path dir, List<Refit> refits, List<Refit> kept)
            throws IOException {
        html.section("Sharpness against average sensitivity (refits)");
        String filter = Double.isInfinite(e5.maxRefitLoss())
                ? "Every refit enters, whatever its eval loss: this scale's refits are too short to fit their functions, so the "
                        + "figure shows the pipeline rather than P1's minima (P1 keeps refits with eval loss < 0.001)."
                : String.format(Locale.ROOT, "%d of %d refits reach eval loss < %s over %d fresh eval batches after the last step "
                        + "(P1: %d) and enter.", kept.size(), refits.size(), fmt(e5.maxRefitLoss()), e5.refit().evalBatches(),
                        SweepReport.P1_EVAL_BATCHES);
        String which = e5.refitLimit() == Integer.MAX_VALUE ? "of every fitting run"
                : "of the first " + e5.refitLimit() + " fitting runs per training-set size";
        html.paragraph(String.format(Locale.ROOT, "Fresh transformers (%d seed%s each) fit the learned function and a random "
                + "completion (for %d training inputs) %s on all %d inputs; sharpness (ε 0.02, R 10, ×4) is measured at the end "
                + "of training. %s", e5.refitSeeds().size(), e5.refitSeeds().size() == 1 ? "" : "s", e5.trainSizes().getFirst(), which,
                1 << e5.n(), filter));
        Map<String, List<Charts.Point>> groups = new LinkedHashMap<>();
        for (int size : e5.trainSizes().stream().sorted().toList()) groups.put("Train size: " + size + " samples", new ArrayList<>());
        groups.put(RANDOM, new ArrayList<>());
        for (Refit r : kept) groups.get(style(r)).add(new Charts.Point(r.sensitivity(), r.sharpness()));
        byte[] png = Figure.of(Charts.scatter("Sharpness vs sensitivity", "Average sensitivity", "Sharpness (×4)", groups, false, false,
                Set.of(RANDOM))).save(dir.resolve("plots"), "e5_sharpness_sensitivity");
        html.figure(png, "P1's Figure 4: each refit as a point, x = average sensitivity of the function it fits (Fourier formula), "
                + "y = its sharpness ×4; diamonds: functions learned from training sets of the given size; squares: random completions.",
                "plots/e5_sharpness_sensitivity.svg");
        RunReport.writeMissing(kept.stream().map(r -> dir.resolve(r.run())).toList());
        Map<String, List<InteractiveChart.Mark>> marks = new LinkedHashMap<>();
        groups.keySet().forEach(style -> marks.put(style, new ArrayList<>()));
        for (Refit r : kept) {
            marks.get(style(r)).add(new InteractiveChart.Mark(r.sensitivity(), r.sharpness(), String.format(Locale.ROOT,
                    "%s%nfits %s (%s), seed %d%neval loss %s%naverage sensitivity %s, sharpness ×4 %s%s", r.run(), r.parent(), style(r), r.seed(),
                    fmt(r.evalLoss()), fmt(r.sensitivity()), fmt(r.sharpness()), r.random() ? "" : ", train-set sharpness ×4 " + fmt(r.trainSetSharpness())),
                    r.run() + "/report.html"));
        }
        html.interactive(new InteractiveChart("Sharpness vs sensitivity (interactive: hover, toggle, zoom, click a refit)", "Average sensitivity",
                "Sharpness (×4)", false, false, marks.entrySet().stream().map(e -> new InteractiveChart.Group(e.getKey(), e.getValue(),
                        e.getKey().equals(RANDOM) ? InteractiveChart.Draw.SQUARES : InteractiveChart.Draw.POINTS)).toList()));
        List<List<String>> rows = new ArrayList<>();
        groups.forEach((style, pts) -> rows.add(List.of(style, Integer.toString(pts.size()),
                fmt(pts.stream().mapToDouble(Charts.Point::x).average().orElse(Double.NaN)),
                fmt(pts.stream().mapToDouble(Charts.Point::y).average().orElse(Double.NaN)))));
        html.table(List.of("functions", "refits", "mean average sensitivity", "mean sharpness ×4"), rows);
        Regression reg = regression(kept);
        if (reg != null) {
            html.paragraph(String.format(Locale.ROOT, "Regression of sharpness ×4 on average sensitivity over the %d refits: slope %.4g, "
                    + "intercept %.4g, r = %.3f, p = %.2g (P1: sharpness increases with sensitivity).", reg.n(), reg.slope(),
                    reg.intercept(), reg.r(), reg.p()));
        }
    }

    /** Sharpness ×4 on average sensitivity over the refits, or null with fewer than two distinct sensitivities. */
    static Regression regression(List<Refit> refits) {
        if (refits.stream().map(Refit::sensitivity).distinct().count() < 2) return null;
        return Regression.fit(refits.stream().mapToDouble(Refit::sensitivity).toArray(), refits.stream().mapToDouble(Refit::sharpness).toArray());
    }

    private static void trainSetSharpness(HtmlReport html, Path dir, List<Refit> kept) throws IOException {
        Map<String, List<Charts.Point>> groups = new LinkedHashMap<>();
        kept.stream().filter(r -> !r.random()).sorted((a, b) -> Integer.compare(a.trainSize(), b.trainSize()))
                .forEach(r -> groups.computeIfAbsent(style(r), k -> new ArrayList<>()).add(new Charts.Point(r.sharpness(), r.trainSetSharpness())));
        if (groups.isEmpty()) return;
        html.section("Sharpness against train-set sharpness (refits of learned functions)");
        byte[] png = Figure.of(Charts.scatter("Train-set sharpness", "Sharpness (×4)", "Train-set sharpness (×4)", groups, false, false))
                .save(dir.resolve("plots"), "e5_train_sharpness");
        html.figure(png, "P1's Figure 15: each refit of a learned function, x = sharpness ×4 on fresh inputs, y = sharpness ×4 on "
                + "the training inputs its function was learned from (ε 0.02, R 100, one batch). P1 plots the raw train-set "
                + "sharpness against ×4 sharpness; both are ×4 here.", "plots/e5_train_sharpness.svg");
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : Double.toString(v);
    }
}
