package org.biaslab.experiment.p2;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.probe.spectrum.Census;
import org.biaslab.report.Bars;
import org.biaslab.report.Charts;
import org.biaslab.report.Charts.Point;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;
import org.biaslab.report.Regression;
import org.hipparchus.stat.descriptive.StreamingStatistics;

/**
 * The ViT part of P2's report: token similarity and HFC/LFC by layer, test accuracy clean and under corruption (mean ±
 * sd over seeds), the census, the spectra of H_h in the complex plane, the baseline's asymmetry over epochs, and the
 * verdicts on the paper's ViT claims.
 */
final class VitReport {
    /** The fall of the asymmetry over training that counts as the paper's (0.95 → 0.7 there). */
    private static final double ASYMMETRY_FALL = 0.1;

    private VitReport() {}

    /** A setting of the sweep: dataset, depth and training fraction. */
    private record Setting(String dataset, int depth, double fraction) {
        String label() {
            return String.format(Locale.ROOT, "%s, %d layers, %s of the training set", dataset, depth, percent(fraction));
        }
    }

    /** Writes the ViT sections into {@code html} (figures under {@code plots}); returns the verdicts. */
    static List<Finding> write(HtmlReport html, Path plots, VitSweep sweep, List<VitSweep.Run> runs) throws IOException {
        Map<Setting, Map<AttentionVariant, VitSweep.Run>> settings = new LinkedHashMap<>();
        for (VitSweep.Run r : runs) settings.computeIfAbsent(new Setting(r.dataset(), r.depth(), r.fraction()), k -> new LinkedHashMap<>()).put(r.variant(), r);
        List<String> datasets = runs.stream().map(VitSweep.Run::dataset).distinct().toList();
        double largest = sweep.fractions().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double smallest = sweep.fractions().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        int deepest = sweep.depths().stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<String> corruptions = runs.getFirst().records().getFirst().corruptedAccuracy().keySet().stream().toList();

        html.section("ViTs: token similarity by layer");
        html.paragraph(String.format(Locale.ROOT, "ViTs (d %d, %d heads, patch %d) with the three attentions: baseline (H_h = W_V^h W_O^h), "
                + "\"+\" (H_h = V Λ Vᵀ, Λ = diag(ψ²): smoothing) and \"−\" (Λ = diag(clip(−ψ², −1, 0)): sharpening); %d epochs, seeds %s "
                + "trained as one ensemble per variant. Hidden state 0 is the embeddings, state ℓ the residual stream after layer ℓ, measured "
                + "on %d test images per seed: the mean pairwise cosine similarity of the tokens, and HFC/LFC = ‖X − 1x̄ᵀ‖_F / ‖1x̄ᵀ‖_F "
                + "(x̄ the mean token). The paper's theory: in \"+\" models the similarity rises with depth, in \"−\" models it falls.",
                sweep.model().hiddenSize(), sweep.model().numAttentionHeads(), sweep.model().patchSize(), sweep.epochs(), sweep.seeds(),
                sweep.measureImages()));
        for (String dataset : datasets) {
            List<Setting> shown = settings.keySet().stream().filter(s -> s.dataset().equals(dataset) && s.fraction() == largest).toList();
            for (boolean cosine : new boolean[] {true, false}) {
                List<org.knowm.xchart.XYChart> panels = new ArrayList<>();
                for (Setting s : shown) {
                    Map<String, List<Point>> groups = new LinkedHashMap<>();
                    settings.get(s).forEach((v, r) -> groups.put(v.label(), statePoints(r, cosine)));
                    panels.add(Charts.meanAndSpread(s.depth() + " layers", "Hidden state (0 = embeddings)", cosine ? "Token cosine similarity" : "HFC/LFC",
                            groups, !cosine));
                }
                String name = "vit_" + dataset + (cosine ? "_cosine" : "_hfc_lfc");
                html.figure(Figure.grid(Math.min(3, panels.size()), panels).save(plots, name), (cosine ? "Token cosine similarity" : "HFC/LFC (" + Charts.LOG_AXIS + ")")
                        + " by hidden state, " + dataset + ", " + percent(largest) + " of the training set, one panel per depth: each seed as a dot, "
                        + "the mean over seeds as a line.", "plots/" + name + ".svg");
            }
            html.interactive(byState(dataset, shown, settings));
        }
        List<List<String>> rows = new ArrayList<>();
        List<Integer> plusRises = new ArrayList<>(), minusFalls = new ArrayList<>(), minusFallsAfterFirst = new ArrayList<>(),
                plusAboveMinus = new ArrayList<>();
        settings.forEach((s, byVariant) -> byVariant.forEach((v, r) -> {
            double[] slopes = r.measurement().members().stream().mapToDouble(m -> slope(m, 0)).toArray();
            double[] layerSlopes = s.depth() < 2 ? null : r.measurement().members().stream().mapToDouble(m -> slope(m, 1)).toArray();
            double[] first = r.measurement().members().stream().mapToDouble(m -> m.states().getFirst().cosine()).toArray();
            double[] last = lastCosines(r);
            double[] hfcFirst = r.measurement().members().stream().mapToDouble(m -> m.states().getFirst().hfcLfc()).toArray();
            double[] hfcLast = r.measurement().members().stream().mapToDouble(m -> m.states().getLast().hfcLfc()).toArray();
            StreamingStatistics st = stats(slopes);
            int outcome = Finding.outcome(st.getMean(), se(st));
            if (v == AttentionVariant.SMOOTH) plusRises.add(outcome);
            if (v == AttentionVariant.SHARPEN) minusFalls.add(-outcome);
            if (v == AttentionVariant.SHARPEN && layerSlopes != null) minusFallsAfterFirst.add(-Finding.outcome(stats(layerSlopes).getMean(), se(stats(layerSlopes))));
            rows.add(List.of(s.dataset(), Integer.toString(s.depth()), percent(s.fraction()), v.label(), pm(first, 1), pm(last, 1), pm(slopes, 1),
                    layerSlopes != null ? pm(layerSlopes, 1) : "–", pm(hfcFirst, 1), pm(hfcLast, 1)));
        }));
        settings.values().forEach(byVariant -> {
            if (byVariant.containsKey(AttentionVariant.SMOOTH) && byVariant.containsKey(AttentionVariant.SHARPEN)) {
                plusAboveMinus.add(difference(lastCosines(byVariant.get(AttentionVariant.SMOOTH)), lastCosines(byVariant.get(AttentionVariant.SHARPEN))));
            }
        });
        html.paragraph("Per run, mean ± sd over seeds. The slope is the least-squares slope of the cosine similarity over the hidden states "
                + "0…L, the iterates of the layer map from the embeddings on, which the verdicts use; the slope over the layers' outputs 1…L "
                + "leaves out the first layer's step from the patch embeddings.");
        html.table(List.of("dataset", "layers", "training", "variant", "cosine, embeddings", "cosine, last layer", "slope, states 0…L", "slope, layers 1…L",
                "HFC/LFC, embeddings", "HFC/LFC, last layer"), rows);

        html.section("ViTs: test accuracy, clean and corrupted");
        html.paragraph("Test accuracy (%) after the last epoch on " + percent(sweep.testFraction()) + " of the test set (stratified), mean ± sd over "
                + sweep.seeds().size() + " seeds. Corruptions are applied to the test images only: " + String.join(", ", corruptions)
                + " (noise: x + σ·N(0, 1); blur: Gaussian of σ pixels; contrast: m + c(x − m), m the image's mean).");
        List<String> metrics = new ArrayList<>(List.of("clean"));
        metrics.addAll(corruptions);
        for (String metric : metrics) {
            List<List<String>> acc = new ArrayList<>();
            settings.forEach((s, byVariant) -> {
                List<String> row = new ArrayList<>(List.of(s.dataset(), Integer.toString(s.depth()), percent(s.fraction())));
                for (AttentionVariant v : VitSweep.VARIANTS) row.add(byVariant.containsKey(v) ? pm(accuracies(byVariant.get(v), metric), 100) : "–");
                acc.add(row);
            });
            html.paragraph(metric.equals("clean") ? "Clean:" : "Under " + metric + ":");
            html.table(List.of("dataset", "layers", "training", "baseline", "+", "−"), acc);
        }
        for (String dataset : datasets) {
            boolean byFraction = sweep.fractions().size() > 1;
            List<org.knowm.xchart.XYChart> panels = new ArrayList<>();
            for (String metric : metrics) {
                Map<String, List<Point>> groups = new LinkedHashMap<>();
                settings.forEach((s, byVariant) -> {
                    if (!s.dataset().equals(dataset) || (byFraction ? s.depth() != deepest : s.fraction() != largest)) return;
                    byVariant.forEach((v, r) -> {
                        for (double a : accuracies(r, metric)) groups.computeIfAbsent(v.label(), k -> new ArrayList<>()).add(new Point(byFraction ? s.fraction() : s.depth(), 100 * a));
                    });
                });
                panels.add(Charts.meanAndSpread(metric, byFraction ? "Training fraction" : "Layers", "Test accuracy (%)", groups, false));
            }
            String name = "vit_" + dataset + "_accuracy";
            html.figure(Figure.grid(2, panels).save(plots, name), "Test accuracy " + (byFraction ? "against the training fraction at " + deepest + " layers"
                    : "against depth at " + percent(largest) + " of the training set") + ", " + dataset + ": each seed as a dot, the mean as a line.",
                    "plots/" + name + ".svg");
        }
        html.interactive(accuracyAgainstSimilarity(runs));

        html.section("ViTs: census of dominating eigenvalues");
        html.paragraph("For every layer, head, seed and " + sweep.censusImages() + " test images: the attention pattern A_h of that image and "
                + "the head's H_h give the dominant pair of I + H_hᵀ⊗A_h (the largest |1 + λ^A λ^H|). It is smoothing when it uses λ^A = 1 "
                + "(the constant token), sharpening when it uses one other eigenvalue of A, tied when several eigenvalues of A tie. The bars "
                + "use H_h as parameterised; the table also gives the census with the γ of layernorm_before folded in (diag(γ) H_h).");
        List<String> categories = new ArrayList<>();
        Map<String, double[]> shares = new LinkedHashMap<>();
        List<List<String>> censusRows = new ArrayList<>();
        List<VitSweep.Run> censused = runs.stream().filter(r -> r.fraction() == largest && r.dataset().equals(datasets.getFirst())).toList();
        for (VitSweep.Run r : censused) {
            Census.Counts c = r.measurement().census().stream().reduce(new Census.Counts(0, 0, 0), Census.Counts::plus);
            categories.add(r.variant().label() + " L" + r.depth());
            double[] p = c.percentages(), f = r.measurement().foldedCensus().percentages();
            censusRows.add(List.of(Integer.toString(r.depth()), r.variant().label(), Long.toString(c.total()), fmt(p[0]), fmt(p[1]), fmt(p[2]),
                    fmt(f[0]), fmt(f[1]), fmt(f[2])));
        }
        String[] kinds = {"smoothing", "sharpening", "tied"};
        for (int k = 0; k < 3; k++) {
            int kind = k;
            shares.put(kinds[k], censused.stream().mapToDouble(r -> r.measurement().census().stream()
                    .reduce(new Census.Counts(0, 0, 0), Census.Counts::plus).percentages()[kind]).toArray());
        }
        html.figure(Figure.of(Bars.of("Census, " + datasets.getFirst(), "variant, layers", "% of (layer, head, image) cases", categories, shares, true))
                .save(plots, "vit_census"), "Census of the dominant pair per variant and depth (" + datasets.getFirst() + ", " + percent(largest)
                + " of the training set), H_h as parameterised.", "plots/vit_census.svg");
        html.table(List.of("layers", "variant", "cases", "smoothing %", "sharpening %", "tied %", "γ folded: smoothing %", "sharpening %", "tied %"), censusRows);

        html.section("ViTs: spectra of H_h");
        VitSweep.Run any = runs.stream().filter(r -> r.depth() == deepest && r.fraction() == largest).findFirst().orElseThrow();
        Map<String, List<Point>> spectra = new LinkedHashMap<>();
        for (VitSweep.Run r : runs) {
            if (r.depth() != deepest || r.fraction() != largest || !r.dataset().equals(any.dataset())) continue;
            spectra.put(r.variant().label(), r.measurement().eigenvalues().stream().map(e -> new Point(e[2], e[3])).toList());
        }
        html.figure(Figure.of(Charts.scatter("Eigenvalues of H_h", "Re λ", "Im λ", spectra, false, false)).save(plots, "vit_spectra"),
                "The eigenvalues of every head's H_h in the complex plane after training, seed " + sweep.seeds().getFirst() + ", " + deepest
                + " layers, " + any.dataset() + ", " + percent(largest) + " of the training set (the baseline's d_head non-zero eigenvalues per head, "
                + "all d for \"±\"). \"+\" keeps them on the positive real axis and \"−\" in [−1, 0] by construction; the baseline's spread "
                + "into the complex plane.", "plots/vit_spectra.svg");

        html.section("ViTs: asymmetry of H over training");
        List<Charts.Series> curves = new ArrayList<>();
        List<String> asymmetryChanges = new ArrayList<>();
        boolean falls = false;
        for (VitSweep.Run r : runs) {
            if (r.variant() != AttentionVariant.BASELINE || r.fraction() != largest || !r.dataset().equals(any.dataset()) || r.asymmetry().isEmpty()) continue;
            double[] x = r.asymmetry().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = r.asymmetry().values().stream().mapToDouble(a -> java.util.Arrays.stream(a).average().orElse(Double.NaN)).toArray();
            curves.add(new Charts.Series(r.depth() + " layers", x, y));
            asymmetryChanges.add(String.format(Locale.ROOT, "%d layers: %s → %s", r.depth(), fmt(y[0]), fmt(y[y.length - 1])));
            falls |= y[0] - y[y.length - 1] >= ASYMMETRY_FALL;
        }
        html.paragraph("The baseline's asymmetry ‖H − Hᵀ‖_F / ‖H + Hᵀ‖_F, averaged over the heads and layers of seed " + sweep.seeds().getFirst()
                + ", before training (epoch 0) and after each epoch. The paper (v1, Figure 2) reports a fall from about 0.95 to about 0.7 over "
                + "training, which motivates the symmetric parameterisation; the \"±\" models are symmetric by construction (0).");
        html.figure(Figure.of(Charts.lines("Asymmetry of H (baseline)", "Epoch", "asym(H)", curves, false)).save(plots, "vit_asymmetry"),
                "The baseline's mean asymmetry of H_h by epoch, one line per depth (" + any.dataset() + ", " + percent(largest) + ").",
                "plots/vit_asymmetry.svg");

        List<Finding> findings = new ArrayList<>();
        findings.add(new Finding("In \"+\" (smoothing) models the token similarity rises with depth", "v1/v3 theory", Finding.tally(plusRises),
                "slope of the cosine similarity over the hidden states 0…L > 0: " + Finding.counts(plusRises)));
        findings.add(new Finding("In \"−\" (sharpening) models the token similarity falls with depth", "v1/v3 theory", Finding.tally(minusFalls),
                "slope over the hidden states 0…L < 0: " + Finding.counts(minusFalls) + ". Over the layers' outputs 1…L alone (the first "
                        + "layer's step from the embeddings left out) the slope is negative in " + minusFallsAfterFirst.stream().filter(o -> o > 0).count()
                        + " of " + minusFallsAfterFirst.size() + " settings"));
        findings.add(new Finding("\"+\" models end with more similar tokens than \"−\" models", "v1/v3 theory, relative",
                Finding.tally(plusAboveMinus), "last-layer cosine similarity of \"+\" above \"−\": " + Finding.counts(plusAboveMinus)));
        findings.add(new Finding("The asymmetry of H falls during training (about 0.95 → 0.7)", "v1, Figure 2", falls ? Finding.Verdict.HELD
                : Finding.Verdict.NOT_HELD, "the baseline's mean asymmetry before training → after " + sweep.epochs() + " epochs (a fall of at least "
                + ASYMMETRY_FALL + " counts): " + String.join("; ", asymmetryChanges)));
        List<Integer> robust = new ArrayList<>(), efficient = new ArrayList<>(), smoothBetter = new ArrayList<>();
        settings.forEach((s, byVariant) -> {
            VitSweep.Run base = byVariant.get(AttentionVariant.BASELINE), minus = byVariant.get(AttentionVariant.SHARPEN), plus = byVariant.get(AttentionVariant.SMOOTH);
            if (base == null || minus == null || plus == null) return;
            for (String c : corruptions) robust.add(difference(accuracies(minus, c), accuracies(base, c)));
            if (s.fraction() == smallest) efficient.add(difference(accuracies(minus, "clean"), accuracies(base, "clean")));
            smoothBetter.add(difference(accuracies(plus, "clean"), accuracies(minus, "clean")));
        });
        findings.add(new Finding("\"−\" models are more robust to corrupted inputs than the baseline", "v1", Finding.tally(robust),
                "corrupted test accuracy of \"−\" above the baseline's, per setting and corruption: " + Finding.counts(robust)));
        findings.add(new Finding("\"−\" models are more data-efficient than the baseline", "v1", Finding.tally(efficient),
                "clean test accuracy of \"−\" above the baseline's at the smallest training fraction (" + percent(smallest) + "): " + Finding.counts(efficient)));
        findings.add(new Finding("For image classification smoothing (\"+\") generalises better than sharpening (\"−\")", "v2", Finding.tally(smoothBetter),
                "clean test accuracy of \"+\" above \"−\": " + Finding.counts(smoothBetter)));
        return findings;
    }

    /**
     * Token similarity by hidden state, a panel per depth: each seed's state as a point (hover: its run, cosine and
     * HFC/LFC) and the variant's mean over seeds as a line.
     */
    private static InteractiveChart byState(String dataset, List<Setting> shown, Map<Setting, Map<AttentionVariant, VitSweep.Run>> settings) {
        List<InteractiveChart.Panel> panels = new ArrayList<>();
        for (Setting s : shown) {
            List<InteractiveChart.Group> groups = new ArrayList<>();
            settings.get(s).forEach((v, r) -> {
                List<InteractiveChart.Mark> seeds = new ArrayList<>();
                Map<Integer, StreamingStatistics> mean = new java.util.TreeMap<>();
                for (VitMeasurement.Member m : r.measurement().members()) {
                    for (VitMeasurement.State st : m.states()) {
                        seeds.add(new InteractiveChart.Mark(st.state(), st.cosine(), String.format(Locale.ROOT,
                                "%s, %s, seed %d%nhidden state %d%ncosine %.4f, HFC/LFC %.4g", v.label(), s.label(), m.seed(), st.state(), st.cosine(),
                                st.hfcLfc()), null));
                        mean.computeIfAbsent(st.state(), k -> new StreamingStatistics()).addValue(st.cosine());
                    }
                }
                groups.add(new InteractiveChart.Group(v.label(), seeds, InteractiveChart.Draw.POINTS));
                groups.add(new InteractiveChart.Group(v.label() + " mean", mean.entrySet().stream()
                        .map(e -> new InteractiveChart.Mark(e.getKey(), e.getValue().getMean())).toList(), InteractiveChart.Draw.LINE));
            });
            panels.add(new InteractiveChart.Panel(s.depth() + " layers: cosine", false, groups));
        }
        return new InteractiveChart("Token cosine similarity by hidden state, " + dataset + " (interactive: hover a seed, toggle, zoom)",
                "Hidden state (0 = embeddings)", false, panels);
    }

    /** Clean test accuracy against the last layer's token similarity, one point per seed: hover shows the run. */
    private static InteractiveChart accuracyAgainstSimilarity(List<VitSweep.Run> runs) {
        Map<String, List<InteractiveChart.Mark>> groups = new LinkedHashMap<>();
        for (VitSweep.Run r : runs) {
            for (VitTraining.EpochRecord e : r.last()) {
                double cosine = r.measurement().members().get(e.member()).states().getLast().cosine();
                StringBuilder tip = new StringBuilder(String.format(Locale.ROOT, "%s %s, %d layers, %s of the training set, seed %d%nclean %.2f%%",
                        r.dataset(), r.variant().label(), r.depth(), percent(r.fraction()), e.seed(), 100 * e.testAccuracy()));
                e.corruptedAccuracy().forEach((k, v) -> tip.append(String.format(Locale.ROOT, "%n%s %.2f%%", k, 100 * v)));
                tip.append(String.format(Locale.ROOT, "%nlast-layer cosine %.3f", cosine));
                groups.computeIfAbsent(r.variant().label(), k -> new ArrayList<>()).add(new InteractiveChart.Mark(cosine, 100 * e.testAccuracy(), tip.toString(), null));
            }
        }
        return new InteractiveChart("Clean accuracy against last-layer token similarity", "Token cosine similarity, last layer", "Clean test accuracy (%)",
                false, false, groups.entrySet().stream().map(g -> new InteractiveChart.Group(g.getKey(), g.getValue(), InteractiveChart.Draw.POINTS)).toList());
    }

    /** A member's metric at each hidden state as points (state, value); the runs' members together. */
    private static List<Point> statePoints(VitSweep.Run r, boolean cosine) {
        List<Point> out = new ArrayList<>();
        for (VitMeasurement.Member m : r.measurement().members()) {
            for (VitMeasurement.State s : m.states()) out.add(new Point(s.state(), cosine ? s.cosine() : s.hfcLfc()));
        }
        return out;
    }

    /** The least-squares slope of a member's cosine similarity over its hidden states {@code from}…L. */
    private static double slope(VitMeasurement.Member m, int from) {
        List<VitMeasurement.State> states = m.states().subList(from, m.states().size());
        ToDoubleFunction<VitMeasurement.State> x = VitMeasurement.State::state;
        return Regression.fit(states.stream().mapToDouble(x).toArray(), states.stream().mapToDouble(VitMeasurement.State::cosine).toArray()).slope();
    }

    /** Every member's token cosine similarity at the last hidden state. */
    private static double[] lastCosines(VitSweep.Run r) {
        return r.measurement().members().stream().mapToDouble(m -> m.states().getLast().cosine()).toArray();
    }

    /** Every member's accuracy after the last epoch, clean or under the corruption {@code metric}. */
    private static double[] accuracies(VitSweep.Run r, String metric) {
        return r.last().stream().mapToDouble(e -> metric.equals("clean") ? e.testAccuracy() : e.corruptedAccuracy().get(metric)).toArray();
    }

    /** {@link Finding#outcome} of mean(a) − mean(b) with the standard error of the difference. */
    private static int difference(double[] a, double[] b) {
        StreamingStatistics sa = stats(a), sb = stats(b);
        return Finding.outcome(sa.getMean() - sb.getMean(), Math.hypot(se(sa), se(sb)));
    }

    private static StreamingStatistics stats(double[] values) {
        StreamingStatistics s = new StreamingStatistics();
        for (double v : values) s.addValue(v);
        return s;
    }

    /** The standard error of the mean (0 for one value). */
    private static double se(StreamingStatistics s) {
        return s.getN() < 2 ? 0 : s.getStandardDeviation() / Math.sqrt(s.getN());
    }

    /** "mean ± sd" of the values times {@code scale}. */
    static String pm(double[] values, double scale) {
        StreamingStatistics s = stats(values);
        return values.length < 2 ? fmt(scale * s.getMean())
                : fmt(scale * s.getMean()) + " ± " + String.format(Locale.ROOT, "%.2g", scale * s.getStandardDeviation());
    }

    /** Two decimals from 10 up (percentages), else three significant digits without trailing zeros (0.001, 1E-12). */
    static String fmt(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.2f", v)
                : new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toString();
    }

    /** A fraction as a percentage with at most four significant digits and no trailing zeros: 0.1 → "10%". */
    static String percent(double f) {
        return new java.math.BigDecimal(100 * f).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString() + "%";
    }
}
