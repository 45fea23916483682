package org.biaslab.experiment.p3;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.report.HtmlReport;

/**
 * The page of P3's reproduction ({@code report.html}): a table of the paper's findings with what was found here and
 * whether it reproduced, then one section per part from the results on disk ({@link LmSection}, {@link GridSection},
 * {@link PretrainedSection}, {@link HomogeneitySection}); a part not run yet says so.
 */
public final class P3Report {
    private P3Report() {}

    /** A finding of the paper: what it expects, what was found here, and whether that reproduces it. */
    public record Finding(String claim, String expected, String here, boolean reproduced) {}

    /** One part's section of the page. */
    interface Section {
        /** The part's findings (none when it has no results). */
        List<Finding> findings();

        /** Writes the section's heading, figures and tables; figures go to {@code plots}. */
        void write(HtmlReport html, Path plots) throws IOException;

        /** Reasons something was left out (a model not found, a part not run). */
        List<String> excluded();
    }

    /** Writes {@code dir/report.html} from the results of {@code p3} in {@code dir}; returns the findings. */
    static List<Finding> write(Path dir, P3 p3) throws IOException {
        List<Section> sections = List.of(LmSection.load(dir.resolve("lm"), p3.lm()), GridSection.load(dir.resolve("grid"), p3.grid()),
                PretrainedSection.load(dir.resolve("pretrained"), p3.pretrained()),
                HomogeneitySection.load(dir.resolve("homogeneity"), p3.homogeneity()));
        List<Finding> findings = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (Section s : sections) {
            findings.addAll(s.findings());
            excluded.addAll(s.excluded());
        }
        HtmlReport html = new HtmlReport("Merrill et al. 2021: parameter-norm growth and saturated transformers");
        html.paragraph("The paper's claims: the parameter norm of a transformer grows during training; as it grows the network "
                + "approaches its saturated version (every parameter scaled by c → ∞), whose attention heads are either argmax-like "
                + "(local) or averaging (global); transformers are approximately homogeneous. Similarities to the saturated model are "
                + "cos(h(θ), h(cθ)) with c = 1000, averaged over real tokens.");
        html.section("Findings");
        List<List<String>> rows = new ArrayList<>();
        for (Finding f : findings) rows.add(List.of(f.claim(), f.expected(), f.here(), f.reproduced() ? "yes" : "NO"));
        html.table(List.of("finding", "the paper", "here", "reproduced"), rows);
        List<String> failed = findings.stream().filter(f -> !f.reproduced()).map(f -> f.claim() + " (" + f.here() + ")").toList();
        html.paragraph(findings.isEmpty() ? "No part has results yet."
                : failed.isEmpty() ? "Every finding measured here reproduced."
                : "Did not reproduce here: " + String.join("; ", failed) + ".");
        Path plots = dir.resolve("plots");
        for (Section s : sections) s.write(html, plots);
        html.section("Configuration");
        html.preformatted(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(p3));
        html.exclusions(excluded);
        html.write(dir.resolve("report.html"));
        return findings;
    }
}
