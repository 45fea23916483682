package org.biaslab.experiment.p2;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.report.HtmlReport;

/**
 * P2's report page, {@code report.html}: the verdict on each of the paper's claims first, then a section per part that
 * has results (ViTs, pretrained encoders, the simplified layer), the configuration, and what was left out.
 */
public final class P2Report {
    private static final ObjectMapper JSON = new ObjectMapper();

    private P2Report() {}

    /** What the report found: every verdict, a one-line summary, and the page. */
    public record Outcome(List<Finding> findings, String line, Path report) {}

    /** Writes {@code dir/report.html} from the parts' results (null: the part has none). */
    public static Outcome write(Path dir, Reproduction config, Reproduction.Inputs inputs, List<VitSweep.Run> vit, PretrainedSmoothing.Results pretrained,
                                SimplifiedDraws.Result simplified) throws IOException {
        Path plots = dir.resolve("plots");
        HtmlReport parts = new HtmlReport("");
        List<Finding> findings = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        if (vit != null && !vit.isEmpty()) findings.addAll(VitReport.write(parts, plots, config.vit(), vit));
        else excluded.add("ViTs: not run (--experiments vit)");
        if (pretrained != null) {
            findings.addAll(PretrainedReport.write(parts, plots, config.pretrained(), inputs.corpus(), pretrained));
            excluded.addAll(pretrained.skipped());
        } else {
            excluded.add("pretrained encoders: not run (--experiments pretrained)");
        }
        if (simplified != null) findings.addAll(SimplifiedReport.write(parts, plots, simplified));
        else excluded.add("simplified layer: not run (--experiments simplified)");

        HtmlReport html = new HtmlReport("Dovonon, Bronstein & Kusner: Setting the Record Straight on Transformer Oversmoothing");
        html.paragraph("A reproduction of P2 (papers.md §P2): whether transformers oversmooth depends on the eigenvalues of the value–output "
                + "maps H = W_V W_O together with the attention A. Three parts: ViT image classifiers with a baseline, a smoothing (\"+\") "
                + "and a sharpening (\"−\") parameterisation of H; pretrained text encoders, including the sign of their LayerNorm weights; "
                + "and the simplified layer X ← X + A X H on random draws. The paper's exact protocols (datasets, ViT-Ti on CIFAR-10 and "
                + "ImageNet, epochs) are not available; the scale here is in the configuration below.");
        html.section("What reproduced and what did not");
        List<List<String>> rows = new ArrayList<>();
        for (Finding f : findings) rows.add(List.of(f.claim(), f.source(), f.verdict().words(), f.evidence()));
        html.table(List.of("claim", "paper", "verdict", "evidence"), rows);
        List<String> failed = findings.stream().filter(f -> f.verdict() != Finding.Verdict.HELD).map(Finding::claim).toList();
        html.paragraph(failed.isEmpty() ? "Every claim tested here reproduced." : "Did not reproduce, or not resolved at this scale: "
                + String.join("; ", failed) + ".");
        html.append(parts);
        html.section("Configuration");
        html.preformatted(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        html.exclusions(excluded);
        Path page = dir.resolve("report.html");
        html.write(page);
        return new Outcome(findings, line(findings, vit, pretrained, simplified), page);
    }

    private static String line(List<Finding> findings, List<VitSweep.Run> vit, PretrainedSmoothing.Results pretrained, SimplifiedDraws.Result simplified) {
        List<String> parts = new ArrayList<>();
        parts.add(String.format(Locale.ROOT, "P2: %d of %d claims reproduced, %d did not, %d not resolved", count(findings, Finding.Verdict.HELD), findings.size(),
                count(findings, Finding.Verdict.NOT_HELD), count(findings, Finding.Verdict.NOT_RESOLVED)));
        if (vit != null && !vit.isEmpty()) {
            int depth = vit.stream().mapToInt(VitSweep.Run::depth).max().orElseThrow();
            double fraction = vit.stream().mapToDouble(VitSweep.Run::fraction).max().orElseThrow();
            StringBuilder acc = new StringBuilder(String.format(Locale.ROOT, "ViT L%d %s clean accuracy", depth, VitReport.percent(fraction)));
            for (AttentionVariant v : VitSweep.VARIANTS) {
                vit.stream().filter(r -> r.variant() == v && r.depth() == depth && r.fraction() == fraction).findFirst().ifPresent(r ->
                        acc.append(String.format(Locale.ROOT, " %s %.1f%%", v.label(),
                                100 * r.last().stream().mapToDouble(VitTraining.EpochRecord::testAccuracy).average().orElse(Double.NaN))));
            }
            parts.add(acc.toString());
        }
        if (pretrained != null && !pretrained.models().isEmpty()) {
            PretrainedSmoothing.ModelResult m = pretrained.models().getFirst();
            parts.add(String.format(Locale.ROOT, "%s census %.0f%% smoothing", PretrainedReport.shortName(m.model()),
                    m.flips().getFirst().total().percentages()[0]));
        }
        if (simplified != null) {
            parts.add(String.format(Locale.ROOT, "simplified layer: constant tokens in %d/%d \"+\" and %d/%d \"−\" draws", simplified.observed("+", "constant"),
                    simplified.config().draws(), simplified.observed("−", "constant"), simplified.config().draws()));
        }
        return String.join("; ", parts);
    }

    private static long count(List<Finding> findings, Finding.Verdict v) {
        return findings.stream().filter(f -> f.verdict() == v).count();
    }
}
