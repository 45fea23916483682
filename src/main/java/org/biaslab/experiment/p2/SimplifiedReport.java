package org.biaslab.experiment.p2;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.report.Charts;
import org.biaslab.report.Figure;
import org.biaslab.report.HtmlReport;
import org.biaslab.report.InteractiveChart;

/** The simplified-layer part of P2's report: predicted and observed limits of X ← X + A X H, counts and traces. */
final class SimplifiedReport {
    private static final List<String> OBSERVED = List.of("constant", "collinear", "neither");
    private static final double FLOOR = 1e-12;

    private SimplifiedReport() {}

    /** Writes the section into {@code html}; returns the verdict on "'−' never, '+' always converges to constant tokens". */
    static List<Finding> write(HtmlReport html, Path plots, SimplifiedDraws.Result r) throws IOException {
        SimplifiedDraws c = r.config();
        html.section("The simplified layer X ← X + A X H");
        html.paragraph(String.format("%d random draws per variant of n = %d tokens and d = %d features: A = softmax(%s·S) by rows with S_ij ~ N(0, 1); "
                + "H = V Λ Vᵀ with V = QR(Θ).Q, Θ_ij ~ N(0, 1), and λ = ψ² (\"+\") or clip(−ψ², −1, 0) (\"−\") for ψ_k ~ N(0, 1); X_0 ~ N(0, 1); "
                + "%d steps, X rescaled to unit Frobenius norm after each. Predicted: the class of the dominant pair of I + Hᵀ⊗A. Observed "
                + "from the last iterate: constant tokens (HFC/LFC < %s, oversmoothing), collinear tokens that are not constant (distance to "
                + "rank one < %s, angle convergence), or neither (e.g. a complex pair of A's eigenvalues ties and X keeps rotating, or the "
                + "iteration has not converged).", c.draws(), c.tokens(), c.width(), VitReport.fmt(c.temperature()), c.steps(),
                VitReport.fmt(SimplifiedDraws.CONVERGED), VitReport.fmt(SimplifiedDraws.CONVERGED)));
        List<List<String>> rows = new ArrayList<>();
        for (var byVariant : r.counts().entrySet()) {
            for (var byPrediction : byVariant.getValue().entrySet()) {
                List<String> row = new ArrayList<>(List.of(byVariant.getKey(), byPrediction.getKey()));
                Map<String, Integer> observed = byPrediction.getValue();
                for (String o : OBSERVED) row.add(Integer.toString(observed.getOrDefault(o, 0)));
                row.add(Integer.toString(observed.values().stream().mapToInt(Integer::intValue).sum()));
                rows.add(row);
            }
        }
        html.table(List.of("variant", "predicted", "observed: constant", "collinear", "neither", "draws"), rows);
        Map<String, List<Charts.Point>> cosine = new LinkedHashMap<>(), ratio = new LinkedHashMap<>();
        for (SimplifiedDraws.Trace t : r.traces()) {
            for (int k = 0; k < t.cosine().length; k++) {
                cosine.computeIfAbsent(t.variant(), v -> new ArrayList<>()).add(new Charts.Point(k, t.cosine()[k]));
                // below FLOOR the ratio is rounding noise of a constant X (about 1e-16), which a log axis would stretch over decades
                if (t.hfcLfc()[k] >= FLOOR) ratio.computeIfAbsent(t.variant(), v -> new ArrayList<>()).add(new Charts.Point(k, t.hfcLfc()[k]));
            }
        }
        html.figure(Figure.grid(2, List.of(Charts.meanAndSpread("Token cosine similarity", "Step", "cosine", cosine, false),
                Charts.meanAndSpread("HFC/LFC", "Step", "HFC/LFC", ratio, true))).save(plots, "simplified_traces"),
                "Token cosine similarity (left) and HFC/LFC (right, " + Charts.LOG_AXIS + "; values below " + VitReport.fmt(FLOOR) + " left out) of X over the first "
                + SimplifiedDraws.TRACE_STEPS + " steps of " + c.traces() + " draws per variant: each draw's values as dots, their mean as a line. \"+\" draws reach constant tokens within a few dozen steps (cosine 1, HFC/LFC → 0); \"−\" draws keep "
                + "HFC/LFC away from 0 (tokens collinear with mixed signs, cosine below 1, or still turning).", "plots/simplified_traces.svg");
        html.interactive(traces(r));
        long plusConstant = r.observed("+", "constant"), minusConstant = r.observed("−", "constant");
        boolean held = plusConstant == c.draws() && minusConstant == 0;
        return List.of(new Finding("In the simplified layer \"−\" never converges to constant tokens and \"+\" always does", "v1/v3 theory",
                held ? Finding.Verdict.HELD : Finding.Verdict.NOT_HELD,
                String.format("observed constant tokens in %d of %d \"+\" draws and %d of %d \"−\" draws", plusConstant, c.draws(), minusConstant, c.draws())));
    }

    /** The traces as interactive lines, one per draw (toggled alone), in two panels: cosine and HFC/LFC (log axis). */
    private static InteractiveChart traces(SimplifiedDraws.Result r) {
        List<InteractiveChart.Group> cosine = new ArrayList<>(), ratio = new ArrayList<>();
        for (SimplifiedDraws.Trace t : r.traces()) {
            String name = t.variant() + " draw " + t.draw();
            List<InteractiveChart.Mark> c = new ArrayList<>(), h = new ArrayList<>();
            for (int k = 0; k < t.cosine().length; k++) {
                c.add(new InteractiveChart.Mark(k, t.cosine()[k]));
                if (t.hfcLfc()[k] >= FLOOR) h.add(new InteractiveChart.Mark(k, t.hfcLfc()[k]));
            }
            cosine.add(new InteractiveChart.Group(name, c, InteractiveChart.Draw.THIN_LINE));
            ratio.add(new InteractiveChart.Group(name, h, InteractiveChart.Draw.THIN_LINE));
        }
        return new InteractiveChart("X ← X + A X H, each traced draw (interactive: hover, toggle a draw, zoom)", "Step", false,
                List.of(new InteractiveChart.Panel("cosine", false, cosine), new InteractiveChart.Panel("HFC/LFC", true, ratio)));
    }
}
