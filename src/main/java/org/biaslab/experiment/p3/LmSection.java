package org.biaslab.experiment.p3;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.biaslab.probe.norm.GrowthFit;
import org.biaslab.probe.norm.NormTrajectory;
import org.biaslab.probe.saturation.HeadStatistics;
import org.biaslab.report.Bars;
import org.biaslab.report.Charts;
import org.biaslab.report.Charts.Point;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;
import org.biaslab.report.Regression;
import org.biaslab.train.RunDir;
import org.knowm.xchart.XYChart;

/**
 * The report's section on trained language models ({@link NormGrowth}): the encoder norm over steps with each seed's
 * best growth law, per-epoch norm, sat, cos(θ_t, θ_{t+1}) and update alignment, sat per layer, the sat–norm
 * trajectory, and histograms of the saturated heads' statistics.
 */
final class LmSection implements P3Report.Section {
    /** A variant's run: its analysis, and its metrics lines by seed. */
    private record Run(String variant, NormGrowth.Analysis analysis, Map<Long, List<Map<String, Object>>> metrics, int maxLen) {}

    /** Fewer heads of one kind than this share of all heads and the histogram is not called bimodal. */
    static final double MIN_KIND_SHARE = 0.1;

    /**
     * sat must exceed its baseline aniso by this much after training for the similarity to count as saturation rather
     * than collapse (a network whose tokens all point one way has sat ≈ aniso ≈ 1; measured on the KJV, docs/experiments.md).
     */
    static final double SAT_MARGIN = 0.1;

    private final NormGrowth lm;
    private final List<Run> runs;
    private final List<String> excluded = new ArrayList<>();

    private LmSection(NormGrowth lm, List<Run> runs) {
        this.lm = lm;
        this.runs = runs;
    }

    static LmSection load(Path dir, NormGrowth lm) throws IOException {
        List<Run> runs = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String v : lm.variants()) {
            NormGrowth.Analysis a = Files.isDirectory(dir.resolve(v)) ? NormGrowth.read(dir.resolve(v)) : null;
            if (a == null) {
                missing.add(v);
                continue;
            }
            Map<Long, List<Map<String, Object>>> bySeed = new LinkedHashMap<>();
            for (Map<String, Object> m : new RunDir(dir.resolve(v)).metrics()) {
                bySeed.computeIfAbsent(((Number) m.get("seed")).longValue(), k -> new ArrayList<>()).add(m);
            }
            runs.add(new Run(v, a, bySeed, lm.config(v).maxLen()));
        }
        LmSection s = new LmSection(lm, runs);
        for (String v : missing) s.excluded.add("lm " + v + ": not trained and analysed yet (reproduce p3 --experiments lm)");
        return s;
    }

    @Override
    public List<String> excluded() {
        return excluded;
    }

    private static double num(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }


    private static List<Map<String, Object>> epochs(List<Map<String, Object>> lines) {
        return lines.stream().filter(m -> m.containsKey("epoch")).toList();
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    @Override
    public List<P3Report.Finding> findings() {
        if (runs.isEmpty()) return List.of();
        int total = 0, everyEpoch = 0, overall = 0, satRose = 0, satWithNorm = 0, sqrtBest = 0, aboveBaseline = 0;
        Map<String, Integer> best = new TreeMap<>();
        DoubleSummaryStatistics anisoLast = new DoubleSummaryStatistics();
        for (Run r : runs) {
            if (NormGrowth.zeroMask(r.variant())) continue; // the quirk's runs have their own finding below
            for (NormGrowth.Member m : r.analysis().members()) {
                total++;
                List<Map<String, Object>> ep = epochs(r.metrics().get(m.seed()));
                boolean every = true;
                for (int k = 1; k < ep.size(); k++) every &= num(ep.get(k), "encoder_norm") > num(ep.get(k - 1), "encoder_norm");
                if (every) everyEpoch++;
                if (num(ep.getLast(), "encoder_norm") > num(ep.getFirst(), "encoder_norm")) overall++;
                if (num(ep.getLast(), "sat") > num(ep.getFirst(), "sat")) satRose++;
                if (ep.getLast().containsKey("aniso")) {
                    anisoLast.accept(num(ep.getLast(), "aniso"));
                    if (num(ep.getLast(), "sat") - num(ep.getLast(), "aniso") >= SAT_MARGIN) aboveBaseline++;
                }
                List<Map<String, Object>> trained = ep.subList(1, ep.size()); // after the first epoch: does sat follow the norm?
                if (trained.size() >= 3 && Regression.fit(trained.stream().mapToDouble(x -> num(x, "encoder_norm")).toArray(),
                        trained.stream().mapToDouble(x -> num(x, "sat")).toArray()).r() > 0) satWithNorm++;
                GrowthFit b = GrowthFit.best(m.fits());
                best.merge(b.law().formula(), 1, Integer::sum);
                if (b.law() == GrowthFit.Law.SQRT) sqrtBest++;
            }
        }
        List<P3Report.Finding> out = new ArrayList<>();
        if (total > 0) {
            out.add(new P3Report.Finding("LM: the norm grows", "‖θ‖ rises monotonically over the epochs",
                    String.format(Locale.ROOT, "encoder norm rose in every epoch in %d of %d runs, overall in %d", everyEpoch, total, overall),
                    overall == total && everyEpoch * 2 > total));
            out.add(new P3Report.Finding("LM: sat rises with the norm", "sat rises with ‖θ‖ over training",
                    String.format(Locale.ROOT, "sat above its initial value after training in %d of %d runs; rising with the norm over epochs 1…E (r > 0) in %d%s",
                            satRose, total, satWithNorm, logsAnisotropy() ? String.format(Locale.ROOT,
                                    "; baseline aniso after training %.3f–%.3f", anisoLast.getMin(), anisoLast.getMax()) : ""),
                    satRose == total && satWithNorm == total));
            if (logsAnisotropy()) {
                out.add(new P3Report.Finding("LM: sat above its baseline", "the trained network is close to its saturated version, "
                                + "not merely a network whose tokens all point one way (ours: sat − aniso ≥ " + SAT_MARGIN + " after training)",
                        String.format(Locale.ROOT, "sat − aniso ≥ %s at the last layer after training in %d of %d runs", SAT_MARGIN, aboveBaseline, total),
                        aboveBaseline * 2 > total));
            }
            out.add(new P3Report.Finding("LM: √t growth", "ρ(t) ≈ a√t + b (T5)", "best fit per run: " + best.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse(""), sqrtBest * 2 > total));
            out.add(heads("LM: saturated heads bimodal", false));
        }
        if (runs.stream().anyMatch(r -> NormGrowth.zeroMask(r.variant()))) {
            out.add(heads("LM with the reference's causal mask (quirk 1): saturated heads bimodal", true));
        }
        return out;
    }

    /** The bimodality finding over the heads of the runs with ({@code zeroMask}) or without the reference's mask. */
    private P3Report.Finding heads(String claim, boolean zeroMask) {
        long local = 0, all = 0;
        for (Run r : runs) {
            if (NormGrowth.zeroMask(r.variant()) != zeroMask) continue;
            for (NormGrowth.Member m : r.analysis().members()) for (HeadStatistics.Head h : m.heads()) {
                all++;
                if (h.kind() == HeadStatistics.Kind.LOCAL) local++;
            }
        }
        long global = all - local;
        boolean bimodal = Math.min(local, global) >= MIN_KIND_SHARE * all;
        return new P3Report.Finding(claim, "argmax-like local heads and averaging global heads",
                String.format(Locale.ROOT, "%d local, %d global of %d heads%s", local, global, all, bimodal ? "" : ": not bimodal"), bimodal);
    }

    @Override
    public void write(HtmlReport html, Path plots) throws IOException {
        html.section("1. Norm growth and saturation in trained language models");
        LmRunConfig c = lm.base();
        html.paragraph(String.format(Locale.ROOT, "Causal LMs (%s preset) trained on %s (%s training lines, %s dev lines, %s tokens), %s lr %s, "
                        + "weight decay %s, batch %d, %d epochs, seeds %s as ensemble members; variants %s (control: Post-LN; pre_norm: the "
                        + "reference's LN(f(x)) + x; pre_ln: standard Pre-LN; +zero-mask: with the reference's causal mask, which sets later keys' "
                        + "scores to 0 instead of −∞ (its quirk 1), so that a query also sees the tokens after it, the one it predicts "
                        + "included; these runs are left out of the other findings). ‖θ_enc‖ is the norm of every parameter but the token and "
                        + "position tables and the classifier (the reference grid's encoder norm); sat = similarity of the last layer's "
                        + "encodings to the saturated model (c = %s) on the first %d dev lines.", c.preset(), Path.of(c.corpus()).getFileName(),
                c.maxTrain() == 0 ? "all" : c.maxTrain(), c.maxDev() == 0 ? "all" : c.maxDev(), c.tokenizer(), c.optimizer(), f(c.lr()),
                f(c.weightDecay()), c.batch(), c.epochs(), c.seeds(), String.join(", ", lm.variants()), f(lm.c()), lm.probeSequences()));
        if (runs.isEmpty()) {
            html.paragraph("Not run yet.");
            return;
        }
        normFigure(html, plots);
        fitTable(html);
        epochFigure(html, plots);
        layerFigure(html, plots);
        trajectory(html, plots);
        heads(html, plots);
        epochTable(html);
    }

    private void normFigure(HtmlReport html, Path plots) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        List<InteractiveChart.Panel> interactive = new ArrayList<>();
        BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10, new float[] {6, 4}, 0);
        for (Run r : runs) {
            List<Charts.Series> series = new ArrayList<>();
            List<String> fits = new ArrayList<>();
            List<InteractiveChart.Group> groups = new ArrayList<>();
            for (NormGrowth.Member m : r.analysis().members()) {
                TreeMap<Long, Double> norms = new TreeMap<>();
                for (Map<String, Object> line : r.metrics().get(m.seed())) {
                    if (line.get("encoder_norm") instanceof Number n) norms.put(((Number) line.get("step")).longValue(), n.doubleValue());
                }
                double[] t = norms.keySet().stream().mapToDouble(Long::doubleValue).toArray();
                double[] rho = norms.values().stream().mapToDouble(Double::doubleValue).toArray();
                series.add(new Charts.Series("seed " + m.seed(), t, rho));
                GrowthFit b = GrowthFit.best(m.fits());
                double tMax = t[t.length - 1];
                double[] fit = new double[t.length];
                for (int i = 0; i < t.length; i++) fit[i] = b.slope() * b.law().feature(t[i], tMax) + b.intercept();
                String name = "seed " + m.seed() + " fit " + b.law().formula();
                series.add(new Charts.Series(name, t, fit));
                fits.add(name);
                List<InteractiveChart.Mark> measured = new ArrayList<>(), fitted = new ArrayList<>();
                for (int i = 0; i < t.length; i++) {
                    measured.add(new InteractiveChart.Mark(t[i], rho[i]));
                    fitted.add(new InteractiveChart.Mark(t[i], fit[i], String.format(Locale.ROOT, "%s, seed %d: best fit %s (R² %.4f)%nstep %d, ρ̂ %.4g",
                            r.variant(), m.seed(), b.law().formula(), b.r2(), (long) t[i], fit[i]), null));
                }
                groups.add(new InteractiveChart.Group("seed " + m.seed(), measured, InteractiveChart.Draw.LINE));
                groups.add(new InteractiveChart.Group("seed " + m.seed() + " fit", fitted, InteractiveChart.Draw.THIN_LINE));
            }
            interactive.add(new InteractiveChart.Panel(r.variant() + ": ‖θ_enc‖", false, groups));
            XYChart chart = Charts.lines(r.variant(), "step", "‖θ_enc‖", series, false);
            for (String name : fits) {
                var fit = chart.getSeries(name);
                if (fit == null) continue;
                fit.setLineStyle(dashed);
                fit.setLineColor(chart.getSeries(name.substring(0, name.indexOf(" fit"))).getLineColor()); // the seed's colour
            }
            panels.add(chart);
        }
        html.figure(Figure.grid(Math.min(3, panels.size()), panels).save(plots, "lm_norm"),
                "The encoder norm ‖θ_enc‖ at every logged step, one panel per variant, a solid line per seed; dashed: that seed's "
                        + "best growth law ρ̂ = a·g(t) + b (largest R² of t, √t, t^¼, exp(−t/t_max)).", "plots/lm_norm.svg");
        html.interactive(new InteractiveChart("The encoder norm over steps (interactive: hover, toggle a seed or its fit, zoom)", "step", false, interactive));
    }

    private void fitTable(HtmlReport html) {
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
            for (NormGrowth.Member m : r.analysis().members()) {
                GrowthFit b = GrowthFit.best(m.fits());
                for (GrowthFit g : m.fits()) {
                    rows.add(List.of(r.variant(), Long.toString(m.seed()), g.law().formula(), f(g.slope()), f(g.intercept()),
                            String.format(Locale.ROOT, "%.4f", g.r2()), g == b ? "best" : ""));
                }
            }
        }
        html.paragraph("Least-squares fits of ‖θ_enc‖ over the logged steps, ρ̂ = a·g(t) + b:");
        html.table(List.of("variant", "seed", "g(t)", "a", "b", "R²", ""), rows);
    }

    /** Per variant, each seed's value of {@code y} at each epoch, from the metrics' epoch lines. */
    private Map<String, List<Point>> perEpoch(String key) {
        Map<String, List<Point>> out = new LinkedHashMap<>();
        for (Run r : runs) {
            List<Point> pts = new ArrayList<>();
            for (NormGrowth.Member m : r.analysis().members()) {
                for (Map<String, Object> e : epochs(r.metrics().get(m.seed()))) pts.add(new Point(num(e, "epoch"), num(e, key)));
            }
            out.put(r.variant(), pts);
        }
        return out;
    }

    /** Whether every run logged the anisotropy baseline (runs trained before it was measured did not). */
    private boolean logsAnisotropy() {
        return runs.stream().allMatch(r -> r.analysis().members().stream()
                .allMatch(m -> epochs(r.metrics().get(m.seed())).stream().allMatch(e -> e.containsKey("aniso"))));
    }

    /** Per variant, each seed's trajectory value at each epoch (checkpoint k = epoch k); cos and alignment from epoch 1. */
    private Map<String, List<Point>> trajectoryPoints(boolean alignment) {
        Map<String, List<Point>> out = new LinkedHashMap<>();
        for (Run r : runs) {
            List<Point> pts = new ArrayList<>();
            for (NormGrowth.Member m : r.analysis().members()) {
                List<NormTrajectory.Point> tr = m.trajectory();
                for (int k = 0; k < tr.size(); k++) {
                    Double v = alignment ? tr.get(k).alignment() : tr.get(k).cosPrevious();
                    if (v != null) pts.add(new Point(k, v));
                }
            }
            out.put(r.variant(), pts);
        }
        return out;
    }

    private void epochFigure(HtmlReport html, Path plots) throws IOException {
        List<XYChart> panels = new ArrayList<>(List.of(
                Charts.meanAndSpread("‖θ_enc‖ per epoch", "epoch", "‖θ_enc‖", perEpoch("encoder_norm"), false),
                Charts.meanAndSpread("similarity to saturated (sat)", "epoch", "sat", perEpoch("sat"), false),
                Charts.meanAndSpread("direction change", "epoch", "cos(θ_t−1, θ_t)", trajectoryPoints(false), false),
                Charts.meanAndSpread("update alignment", "epoch", "cos(Δθ, θ_t−1)", trajectoryPoints(true), false)));
        boolean aniso = logsAnisotropy();
        if (aniso) panels.add(2, Charts.meanAndSpread("sat's baseline: cos between tokens (aniso)", "epoch", "aniso", perEpoch("aniso"), false));
        html.figure(Figure.grid(aniso ? 3 : 2, panels).save(plots, "lm_epochs"),
                "Per epoch (0 = initialisation), each seed a dot and the mean over seeds a line: the encoder norm; sat; "
                        + (aniso ? "aniso, sat's baseline, the mean cosine between the last layer's encodings of distinct tokens (when "
                        + "it is near 1, every token points the same way and sat near 1 says nothing about saturation); " : "")
                        + "the cosine between consecutive epoch checkpoints of the transformer layers (layers.**); and the "
                        + "alignment of the epoch's update with the parameters, cos(θ_t − θ_t−1, θ_t−1) (≈ 0: the update is "
                        + "orthogonal to θ, the √t regime).", "plots/lm_epochs.svg");
    }

    private void layerFigure(HtmlReport html, Path plots) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (Run r : runs) {
            List<Charts.Series> series = new ArrayList<>();
            List<Map<String, Object>> first = epochs(r.metrics().get(r.analysis().members().getFirst().seed()));
            for (int l = 1; first.getFirst().containsKey("sat/layer_" + l); l++) {
                String key = "sat/layer_" + l;
                double[] x = new double[first.size()], y = new double[first.size()];
                for (int k = 0; k < first.size(); k++) {
                    x[k] = k;
                    double s = 0;
                    for (NormGrowth.Member m : r.analysis().members()) s += num(epochs(r.metrics().get(m.seed())).get(k), key);
                    y[k] = s / r.analysis().members().size();
                }
                series.add(new Charts.Series("layer " + l, x, y));
            }
            panels.add(Charts.lines(r.variant(), "epoch", "sat (mean over seeds)", series, false));
        }
        html.figure(Figure.grid(Math.min(3, panels.size()), panels).save(plots, "lm_sat_layers"),
                "Similarity to the saturated model after each layer (the residual stream; the last includes Pre-LN's final LN), "
                        + "mean over seeds, per epoch.", "plots/lm_sat_layers.svg");
    }

    private void trajectory(HtmlReport html, Path plots) throws IOException {
        List<Charts.Series> series = new ArrayList<>();
        List<InteractiveChart.Group> groups = new ArrayList<>();
        for (Run r : runs) {
            for (NormGrowth.Member m : r.analysis().members()) {
                List<Map<String, Object>> ep = epochs(r.metrics().get(m.seed()));
                double[] x = ep.stream().mapToDouble(e -> num(e, "encoder_norm")).toArray(), y = ep.stream().mapToDouble(e -> num(e, "sat")).toArray();
                String name = r.variant() + " s" + m.seed();
                series.add(new Charts.Series(name, x, y));
                List<InteractiveChart.Mark> marks = new ArrayList<>();
                for (Map<String, Object> e : ep) {
                    marks.add(new InteractiveChart.Mark(num(e, "encoder_norm"), num(e, "sat"), String.format(Locale.ROOT,
                            "%s, seed %d, epoch %d (step %d)\n‖θ_enc‖ %.2f, ‖θ‖ %.2f\nsat %.4f, aniso %.4f\ndev loss %.3f, ppl %.1f, acc1 %.3f", r.variant(),
                            m.seed(), (int) num(e, "epoch"), (long) num(e, "step"), num(e, "encoder_norm"), num(e, "param_norm"), num(e, "sat"), num(e, "aniso"),
                            num(e, "dev/loss"), num(e, "dev/ppl"), num(e, "dev/acc1")), null));
                }
                groups.add(new InteractiveChart.Group(name, marks, InteractiveChart.Draw.LINE));
            }
        }
        html.figure(Figure.of(Charts.lines("sat against the norm", "‖θ_enc‖", "sat", series, false)).save(plots, "lm_trajectory"),
                "The trajectory of each run through (‖θ_enc‖, sat), one point per epoch from initialisation: the paper expects "
                        + "sat to rise as the norm grows.", "plots/lm_trajectory.svg");
        html.interactive(new InteractiveChart("sat against the norm (hover: epoch, losses)", "‖θ_enc‖", "sat", false, false, groups));
    }

    private void heads(HtmlReport html, Path plots) throws IOException {
        Map<String, double[]> positions = new LinkedHashMap<>(), split = new LinkedHashMap<>(), std = new LinkedHashMap<>();
        List<List<String>> rows = new ArrayList<>();
        double maxStd = 0;
        int maxLen = 2;
        for (Run r : runs) {
            List<HeadStatistics.Head> heads = r.analysis().members().stream().flatMap(m -> m.heads().stream()).toList();
            positions.put(r.variant(), heads.stream().mapToDouble(HeadStatistics.Head::meanPositions).toArray());
            split.put(r.variant(), heads.stream().mapToDouble(HeadStatistics.Head::splitProbability).toArray());
            std.put(r.variant(), heads.stream().mapToDouble(HeadStatistics.Head::stdPositions).toArray());
            for (HeadStatistics.Head h : heads) maxStd = Math.max(maxStd, h.stdPositions());
            maxLen = Math.max(maxLen, r.maxLen());
            long local = heads.stream().filter(h -> h.kind() == HeadStatistics.Kind.LOCAL).count();
            rows.add(List.of(r.variant(), Integer.toString(heads.size()), Long.toString(local), Long.toString(heads.size() - local),
                    f(heads.stream().mapToDouble(HeadStatistics.Head::meanPositions).min().orElse(Double.NaN)),
                    f(heads.stream().mapToDouble(HeadStatistics.Head::meanPositions).max().orElse(Double.NaN))));
        }
        double[] linear = new double[11], stdEdges = new double[11];
        for (int i = 0; i <= 10; i++) {
            linear[i] = i / 10.0;
            stdEdges[i] = Math.max(maxStd, 1) * i / 10.0;
        }
        html.figure(Figure.grid(3, List.of(
                        Bars.histogram("# positions attended", "mean positions (log bins)", positions, Bars.logEdges(1, maxLen, 8)),
                        Bars.histogram("split attention", "P(more than one position)", split, linear),
                        Bars.histogram("spread of positions", "std of positions", std, stdEdges))).save(plots, "lm_heads"),
                "Heads of the trained models saturated at c = " + f(lm.c()) + " (all seeds of a variant pooled), on the first "
                        + lm.probeSequences() + " dev lines with the causal mask: per head the mean number of positions with weight "
                        + "> 1e-5, the share of queries attending more than one position, and the std of that number over queries.",
                "plots/lm_heads.svg");
        html.paragraph("A head is called global (averaging) when most of its queries with at least two allowed positions attend to more "
                + "than half of them, local (argmax-like) otherwise; the histogram counts as bimodal here when each kind has at least "
                + (int) (100 * MIN_KIND_SHARE) + " % of the heads. The paper finds about half of the heads of each kind.");
        html.table(List.of("variant", "heads", "local", "global", "min positions", "max positions"), rows);
    }

    private void epochTable(HtmlReport html) {
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
            for (NormGrowth.Member m : r.analysis().members()) {
                for (Map<String, Object> e : epochs(r.metrics().get(m.seed()))) {
                    rows.add(List.of(r.variant(), Long.toString(m.seed()), Integer.toString((int) num(e, "epoch")), f(num(e, "dev/loss")),
                            f(num(e, "dev/ppl")), f(num(e, "dev/acc1")), f(num(e, "param_norm")), f(num(e, "encoder_norm")), f(num(e, "sat"))));
                }
            }
        }
        html.paragraph("Per epoch (dev metrics on the dev lines; ppl = exp(loss), where the reference prints 2^loss):");
        html.table(List.of("variant", "seed", "epoch", "dev loss", "dev ppl", "dev acc1", "‖θ‖", "‖θ_enc‖", "sat"), rows);
    }
}
