package org.biaslab.experiment.p2;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.probe.spectrum.Census;
import org.biaslab.report.Bars;
import org.biaslab.report.Charts;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;
import org.knowm.xchart.XYChart;

/**
 * The pretrained-encoder part of P2's report: token similarity and HFC/LFC by layer per model, the census per model,
 * the LayerNorm-sign experiment (census and similarity as γ signs are flipped), and the verdict on "similarity need
 * not grow with depth".
 */
final class PretrainedReport {
    private PretrainedReport() {}

    /** Writes the sections into {@code html}; returns the verdicts. */
    static List<Finding> write(HtmlReport html, Path plots, PretrainedSmoothing config, Path corpus, PretrainedSmoothing.Results results) throws IOException {
        html.section("Pretrained encoders: token similarity by layer");
        List<PretrainedSmoothing.ModelResult> models = results.models();
        html.paragraph(String.format("The first %d texts of %s (one per line, headings left out), truncated at %d tokens, through each encoder; "
                + "the metrics over each text's real tokens, averaged over the texts. State 0 is the embedding output. The census folds "
                + "the γ of the LayerNorm that feeds each attention into H_h. Models: %s.", models.isEmpty() ? config.lines() : models.getFirst().texts(),
                corpus, config.maxTokens(), models.isEmpty() ? "none available" : String.join(", ", models.stream().map(PretrainedSmoothing.ModelResult::model).toList())));
        if (models.isEmpty()) {
            html.paragraph("No pretrained model was available: nothing measured.");
            return List.of();
        }
        List<Charts.Series> cosine = new ArrayList<>(), ratio = new ArrayList<>();
        for (PretrainedSmoothing.ModelResult m : models) {
            PretrainedSmoothing.Flip f = released(m);
            cosine.add(series(m.model(), f, true));
            ratio.add(series(m.model(), f, false));
        }
        html.figure(Figure.grid(2, List.of(Charts.lines("Token cosine similarity", "Hidden state (0 = embeddings)", "cosine", cosine, false),
                Charts.lines("HFC/LFC", "Hidden state (0 = embeddings)", "HFC/LFC", ratio, false))).save(plots, "pretrained_smoothing"),
                "Token cosine similarity (left) and HFC/LFC (right) by hidden state, one line per model as released.",
                "plots/pretrained_smoothing.svg");

        html.interactive(new InteractiveChart("Token similarity by hidden state, models as released (interactive: hover, toggle, zoom)",
                "Hidden state (0 = embeddings)", false, List.of(new InteractiveChart.Panel("cosine", false, lines(cosine)),
                new InteractiveChart.Panel("HFC/LFC", false, lines(ratio)))));

        html.section("Pretrained encoders: census and the sign of LayerNorm γ");
        html.paragraph("The LayerNorm-sign experiment (v3): a fraction of the γ entries of every norm that feeds an attention is negated "
                + "(drawn with seed " + config.flipSeed() + "), in the model itself, so A, H and the residual stream all change; then census "
                + "and similarity again. Fraction 0 is the model as released.");
        List<String> categories = new ArrayList<>();
        List<double[]> columns = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (PretrainedSmoothing.ModelResult m : models) {
            for (PretrainedSmoothing.Flip f : m.flips()) {
                Census.Counts c = f.total();
                double[] p = c.percentages();
                categories.add(shortName(m.model()) + " " + VitReport.percent(f.fraction()));
                columns.add(p);
                rows.add(List.of(m.model(), VitReport.percent(f.fraction()), Long.toString(c.total()), VitReport.fmt(p[0]), VitReport.fmt(p[1]), VitReport.fmt(p[2]),
                        VitReport.fmt(f.states().getFirst().cosine()), VitReport.fmt(f.states().getLast().cosine()),
                        VitReport.fmt(f.states().getFirst().hfcLfc()), VitReport.fmt(f.states().getLast().hfcLfc())));
            }
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        String[] kinds = {"smoothing", "sharpening", "tied"};
        for (int k = 0; k < 3; k++) {
            int kind = k;
            series.put(kinds[k], columns.stream().mapToDouble(p -> p[kind]).toArray());
        }
        html.figure(Figure.of(Bars.of("Census by model and γ flip", "model, fraction of γ signs flipped", "% of (layer, head, text) cases", categories,
                series, true)).save(plots, "pretrained_census"), "Census of the dominant pair per model and fraction of γ signs flipped.",
                "plots/pretrained_census.svg");
        html.table(List.of("model", "γ flipped", "cases", "smoothing %", "sharpening %", "tied %", "cosine, embeddings", "cosine, last", "HFC/LFC, embeddings",
                "HFC/LFC, last"), rows);
        List<XYChart> panels = new ArrayList<>();
        for (PretrainedSmoothing.ModelResult m : models) {
            List<Charts.Series> flips = new ArrayList<>();
            for (PretrainedSmoothing.Flip f : m.flips()) flips.add(series("γ flipped " + VitReport.percent(f.fraction()), f, true));
            panels.add(Charts.lines(shortName(m.model()), "Hidden state (0 = embeddings)", "Token cosine similarity", flips, false));
        }
        html.figure(Figure.grid(Math.min(2, panels.size()), panels).save(plots, "pretrained_ln_sign"),
                "Token cosine similarity by hidden state for each fraction of γ signs flipped, one panel per model.", "plots/pretrained_ln_sign.svg");

        List<String> rising = new ArrayList<>(), notRising = new ArrayList<>();
        for (PretrainedSmoothing.ModelResult m : models) {
            PretrainedSmoothing.Flip f = released(m);
            (f.states().getLast().cosine() > f.states().getFirst().cosine() ? rising : notRising).add(shortName(m.model()));
        }
        // "not inevitable" needs a model that does not oversmooth; one model that does cannot contradict it
        Finding.Verdict v = !notRising.isEmpty() && !rising.isEmpty() ? Finding.Verdict.HELD
                : notRising.isEmpty() && models.size() >= 2 ? Finding.Verdict.NOT_HELD : Finding.Verdict.NOT_RESOLVED;
        List<Finding> out = new ArrayList<>();
        out.add(new Finding("Feature similarity grows with depth in some pretrained models but not inevitably", "v3", v,
                "last-layer cosine above the embeddings' in " + (rising.isEmpty() ? "no model" : String.join(", ", rising)) + "; not in "
                        + (notRising.isEmpty() ? "any model measured" : String.join(", ", notRising))));
        List<String> moved = new ArrayList<>();
        for (PretrainedSmoothing.ModelResult m : models) {
            double base = released(m).total().percentages()[0];
            for (PretrainedSmoothing.Flip f : m.flips()) {
                if (f.fraction() != 0) moved.add(String.format("%s, %s flipped: smoothing %s%% → %s%%", shortName(m.model()), VitReport.percent(f.fraction()),
                        VitReport.fmt(base), VitReport.fmt(f.total().percentages()[0])));
            }
        }
        boolean changes = models.stream().anyMatch(m -> m.flips().stream().anyMatch(f -> f.fraction() != 0
                && Math.abs(f.total().percentages()[0] - released(m).total().percentages()[0]) >= 1));
        out.add(new Finding("The sign of the LayerNorm weights affects smoothing", "v3", changes ? Finding.Verdict.HELD : Finding.Verdict.NOT_HELD,
                "census share of smoothing as γ signs are flipped (a change of at least 1 point counts): " + String.join("; ", moved)));
        return out;
    }

    /** Curves as interactive lines, one legend entry each. */
    private static List<InteractiveChart.Group> lines(List<Charts.Series> curves) {
        return curves.stream().map(c -> new InteractiveChart.Group(shortName(c.name()), java.util.stream.IntStream.range(0, c.x().length)
                .mapToObj(i -> new InteractiveChart.Mark(c.x()[i], c.y()[i])).toList(), InteractiveChart.Draw.LINE)).toList();
    }

    /** The model as released (no γ flipped), else its first flip. */
    private static PretrainedSmoothing.Flip released(PretrainedSmoothing.ModelResult m) {
        return m.flips().stream().filter(f -> f.fraction() == 0).findFirst().orElse(m.flips().getFirst());
    }

    private static Charts.Series series(String name, PretrainedSmoothing.Flip f, boolean cosine) {
        return new Charts.Series(name, f.states().stream().mapToDouble(PretrainedSmoothing.State::state).toArray(),
                f.states().stream().mapToDouble(s -> cosine ? s.cosine() : s.hfcLfc()).toArray());
    }

    /** The model's name without a path. */
    static String shortName(String model) {
        return Path.of(model).getFileName().toString();
    }
}
