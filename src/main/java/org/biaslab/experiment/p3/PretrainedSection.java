package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.biaslab.report.Bars;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;
import org.knowm.xchart.CategoryChart;

/**
 * The report's section on pretrained encoders against their random initialisations ({@link PretrainedSaturation}):
 * bars of the similarity to the saturated model by layer, and a summary table.
 */
final class PretrainedSection implements P3Report.Section {
    private final PretrainedSaturation part;
    private final List<PretrainedSaturation.Result> measured = new ArrayList<>();
    private final List<String> excluded = new ArrayList<>();

    private PretrainedSection(PretrainedSaturation part) {
        this.part = part;
    }

    static PretrainedSection load(Path dir, PretrainedSaturation part) throws IOException {
        PretrainedSection s = new PretrainedSection(part);
        for (String spec : part.models()) {
            PretrainedSaturation.Result r = ResultFiles.read(PretrainedSaturation.file(dir, spec), PretrainedSaturation.Result.class);
            if (r == null) s.excluded.add("pretrained " + spec + ": not measured yet (reproduce p3 --experiments pretrained)");
            else if (r.skipped() != null) s.excluded.add("pretrained " + spec + ": " + r.skipped());
            else s.measured.add(r);
        }
        return s;
    }

    /** Mean over hidden states 1..L (state 0, the embeddings, left out as the reference's plots do). */
    static double meanOverLayers(double[] v) {
        double s = 0;
        for (int l = 1; l < v.length; l++) s += v[l];
        return s / (v.length - 1);
    }

    private static int layersAbove(PretrainedSaturation.Result r) {
        int n = 0;
        for (int l = 1; l < r.pretrained().length; l++) if (r.pretrained()[l] > r.random()[l]) n++;
        return n;
    }

    @Override
    public List<P3Report.Finding> findings() {
        List<P3Report.Finding> out = new ArrayList<>();
        for (PretrainedSaturation.Result r : measured) {
            double p = meanOverLayers(r.pretrained()), q = meanOverLayers(r.random());
            out.add(new P3Report.Finding("pretrained " + r.model() + " closer to saturated", "pretrained above random init in most layers",
                    String.format(Locale.ROOT, "mean %.3f vs %.3f random; above in %d of %d layers", p, q, layersAbove(r), r.pretrained().length - 1),
                    p > q && 2 * layersAbove(r) > r.pretrained().length - 1));
        }
        return out;
    }

    @Override
    public List<String> excluded() {
        return excluded;
    }

    @Override
    public void write(HtmlReport html, Path plots) throws IOException {
        html.section("3. Pretrained encoders against random initialisation");
        html.paragraph(String.format(Locale.ROOT, "Per layer ℓ, cos(h_ℓ(θ), h_ℓ(%sθ)) averaged over the real tokens of the first %d lines of %s "
                        + "(each truncated at %d tokens), for each model and its random initialisation (HuggingFace's scheme, seed %d). "
                        + "Layer 0, the embeddings ending in a LayerNorm, is left out as in the reference's figures. Models: %s.",
                (int) part.c(), part.texts(), Path.of(part.corpus()).getFileName(), part.maxTokens(), part.randomSeed(), String.join(", ", part.models())));
        if (measured.isEmpty()) {
            html.paragraph("No model measured yet.");
            return;
        }
        List<CategoryChart> panels = new ArrayList<>();
        List<InteractiveChart.Panel> interactive = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (PretrainedSaturation.Result r : measured) {
            List<String> layers = new ArrayList<>();
            int n = r.pretrained().length - 1;
            double[] p = new double[n], q = new double[n];
            for (int l = 1; l <= n; l++) {
                layers.add(Integer.toString(l));
                p[l - 1] = r.pretrained()[l];
                q[l - 1] = r.random()[l];
            }
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put("pretrained", p);
            series.put("random init", q);
            panels.add(Bars.of(r.model(), "layer", "similarity to saturated", layers, series, false));
            List<InteractiveChart.Group> groups = new ArrayList<>();
            series.forEach((kind, v) -> groups.add(new InteractiveChart.Group(kind, java.util.stream.IntStream.range(0, n)
                    .mapToObj(i -> new InteractiveChart.Mark(i + 1, v[i], String.format(Locale.ROOT, "%s, %s%nlayer %d%nsimilarity to saturated %.4f",
                            r.model(), kind, i + 1, v[i]), null)).toList(), InteractiveChart.Draw.LINE)));
            interactive.add(new InteractiveChart.Panel(Path.of(r.model()).getFileName().toString(), false, groups));
            rows.add(List.of(r.model(), r.architecture(), Integer.toString(n), Integer.toString(r.texts()), Integer.toString(r.tokens()),
                    String.format(Locale.ROOT, "%.4f", meanOverLayers(r.pretrained())), String.format(Locale.ROOT, "%.4f", meanOverLayers(r.random())),
                    layersAbove(r) + " of " + n, String.format(Locale.ROOT, "%.4f", meanOverLayers(r.pretrainedAnisotropy())),
                    String.format(Locale.ROOT, "%.4f", meanOverLayers(r.randomAnisotropy()))));
        }
        html.figure(Figure.grid(Math.min(2, panels.size()), panels).save(plots, "pretrained"),
                "Similarity of each layer's output to the saturated model's, pretrained (first colour) and random-init twin (second).",
                "plots/pretrained.svg");
        html.interactive(new InteractiveChart("Similarity to the saturated model by layer (interactive: hover, toggle, zoom)", "layer", false, interactive));
        html.paragraph("Each similarity's baseline is the anisotropy of the same hidden states, the mean cosine between two distinct "
                + "tokens at θ (aniso): a similarity to the saturated model is informative as far as it stands above it.");
        html.table(List.of("model", "architecture", "layers", "texts", "tokens", "mean pretrained", "mean random init", "layers pretrained > random",
                "mean aniso pretrained", "mean aniso random init"), rows);
    }
}
