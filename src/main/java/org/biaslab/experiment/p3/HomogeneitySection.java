package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.biaslab.report.Charts;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/** The report's section on homogeneity curves ({@link HomogeneityCurves}): one line per model, and its ends. */
final class HomogeneitySection implements P3Report.Section {
    private final HomogeneityCurves part;
    private final HomogeneityCurves.Result result;

    private HomogeneitySection(HomogeneityCurves part, HomogeneityCurves.Result result) {
        this.part = part;
        this.result = result;
    }

    static HomogeneitySection load(Path dir, HomogeneityCurves part) throws IOException {
        return new HomogeneitySection(part, ResultFiles.read(dir.resolve(HomogeneityCurves.FILE), HomogeneityCurves.Result.class));
    }

    private HomogeneityCurves.Curve curve(String variant, boolean bias) {
        return result.curves().stream().filter(c -> c.variant().equals(variant) && c.bias() == bias).findFirst().orElse(null);
    }

    @Override
    public List<P3Report.Finding> findings() {
        if (result == null) return List.of();
        int rising = 0;
        for (HomogeneityCurves.Curve c : result.curves()) if (c.similarity()[c.similarity().length - 1] > c.similarity()[0]) rising++;
        List<String> lows = new ArrayList<>();
        for (HomogeneityCurves.Curve c : result.curves()) lows.add(String.format(Locale.ROOT, "%s %.2f → %.2f", c.name(), c.similarity()[0],
                c.similarity()[c.similarity().length - 1]));
        List<P3Report.Finding> out = new ArrayList<>();
        out.add(new P3Report.Finding("homogeneity curves rise", "cos rises with c towards ≈ 0.96 at c = 10",
                rising + " of " + result.curves().size() + " rise (c = 1 → 10: " + String.join("; ", lows) + ")", rising == result.curves().size()));
        List<String> order = new ArrayList<>();
        boolean above = true, compared = false;
        for (boolean bias : new boolean[] {true, false}) {
            HomogeneityCurves.Curve pre = curve("pre_norm", bias), post = curve("control", bias);
            if (pre == null || post == null) continue;
            compared = true;
            above &= pre.similarity()[0] > post.similarity()[0];
            order.add(String.format(Locale.ROOT, "%s: %.2f vs %.2f", bias ? "bias" : "no bias", pre.similarity()[0], post.similarity()[0]));
        }
        if (compared) {
            out.add(new P3Report.Finding("pre-norm starts above post-norm", "at c = 1 pre_norm ≈ 0.7, control ≈ 0.08",
                    "at c = 1, pre_norm vs control: " + String.join("; ", order), above));
        }
        return out;
    }

    @Override
    public List<String> excluded() {
        return result == null ? List.of("homogeneity: not computed yet (reproduce p3 --experiments homogeneity)") : List.of();
    }

    @Override
    public void write(HtmlReport html, Path plots) throws IOException {
        html.section("4. Homogeneity of randomly initialised transformers");
        html.paragraph(String.format(Locale.ROOT, "Random-init LMs (%s preset, seed %d) of each variant with and without biases read %d random "
                        + "sequences of %d ids from a vocabulary of %d; the curve is the cosine between the flattened final encodings at "
                        + "scale c (every parameter ×c) and at c = 1000, for c = 1 … 10 (20 values).", part.preset(), part.seed(), part.sentences(),
                part.length(), part.vocab()));
        if (result == null) {
            html.paragraph("Not run yet.");
            return;
        }
        List<Charts.Series> series = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (HomogeneityCurves.Curve c : result.curves()) {
            series.add(new Charts.Series(c.name(), c.scales(), c.similarity()));
            double[] s = c.similarity();
            rows.add(List.of(c.name(), String.format(Locale.ROOT, "%.4f", s[0]), String.format(Locale.ROOT, "%.4f", s[s.length / 2]),
                    String.format(Locale.ROOT, "%.4f", s[s.length - 1])));
        }
        XYChart chart = Charts.lines("similarity to c = 1000", "scale c", "cos", series, false);
        // six curves: a legend below would run off the panel; the lower right stays empty (every curve rises)
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE).setLegendLayout(Styler.LegendLayout.Vertical);
        html.figure(Figure.of(chart).save(plots, "homogeneity"),
                "Homogeneity curves: the paper's (12 layers, d 768) rise to ≈ 0.96 by c ≈ 8–10, pre_norm from ≈ 0.7 and control from ≈ 0.08.",
                "plots/homogeneity.svg");
        html.interactive(new InteractiveChart("Similarity to c = 1000 (interactive: hover, toggle a model, zoom)", "scale c", "cos", false, false,
                series.stream().map(c -> new InteractiveChart.Group(c.name(), java.util.stream.IntStream.range(0, c.x().length)
                        .mapToObj(i -> new InteractiveChart.Mark(c.x()[i], c.y()[i])).toList(), InteractiveChart.Draw.LINE)).toList()));
        double[] sc = result.curves().getFirst().scales();
        html.table(List.of("model", "c = 1", String.format(Locale.ROOT, "c = %.3g", sc[sc.length / 2]), "c = 10"), rows);
    }
}
