package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.biaslab.report.Figure;
import org.biaslab.report.HeatMap;
import org.biaslab.report.HtmlReport;
import org.knowm.xchart.XYChart;

/**
 * The report's section on the learning-rate × weight-decay grid ({@link LrWdGrid}): per optimiser a heat map of the
 * signed log of Δ‖θ_enc‖ over (η, λ), the count of cells where the norm grew, and where the others lie in λ/η.
 */
final class GridSection implements P3Report.Section {
    /** |Δ| below this reads as 0 decades in the signed log. */
    static final double FLOOR = 1e-4;

    private final LrWdGrid grid;
    private final LmRunConfig config;
    private final List<NormGrid.Result> results;
    private final List<String> excluded = new ArrayList<>();

    private GridSection(LrWdGrid grid, LmRunConfig config, List<NormGrid.Result> results) {
        this.grid = grid;
        this.config = config;
        this.results = results;
    }

    static GridSection load(Path dir, LrWdGrid grid) throws IOException {
        List<NormGrid.Result> results = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        LmRunConfig config = grid.base();
        for (String opt : grid.optimizers()) {
            NormGrid.Result r = LrWdGrid.read(dir, opt);
            if (r == null) missing.add(opt);
            else results.add(r);
            LmRunConfig kept = LrWdGrid.keptConfig(dir, opt);
            if (kept != null) config = kept; // the grid's own config describes it, whatever the recipe says now
        }
        GridSection s = new GridSection(grid, config, results);
        for (String opt : missing) s.excluded.add("grid " + opt + ": not computed yet (reproduce p3 --experiments grid)");
        return s;
    }

    /** sign(Δ)·log10(1 + |Δ|/10⁻⁴): decades of |Δ| above 10⁻⁴, with the sign of Δ. */
    static double signedLog(double delta) {
        return Math.signum(delta) * Math.log10(1 + Math.abs(delta) / FLOOR);
    }

    /** Cells that grew and shrank, and the mean log10(λ/η) of each kind. */
    private record Census(int cells, int grew, int shrank, double growingRatio, double shrinkingRatio) {}

    private static Census census(NormGrid.Result r) {
        int cells = 0, grew = 0, shrank = 0;
        double up = 0, down = 0;
        for (int i = 0; i < r.lrs().length; i++) {
            for (int j = 0; j < r.wds().length; j++) {
                double d = r.delta(i, j);
                if (!Double.isFinite(d)) continue;
                cells++;
                double ratio = Math.log10(r.wds()[j] / r.lrs()[i]);
                if (d > 0) {
                    grew++;
                    up += ratio;
                } else {
                    shrank++;
                    down += ratio;
                }
            }
        }
        return new Census(cells, grew, shrank, grew == 0 ? Double.NaN : up / grew, shrank == 0 ? Double.NaN : down / shrank);
    }

    @Override
    public List<P3Report.Finding> findings() {
        List<P3Report.Finding> out = new ArrayList<>();
        for (NormGrid.Result r : results) {
            Census c = census(r);
            boolean reproduced = 2 * c.grew() > c.cells() && (c.shrank() == 0 || c.shrinkingRatio() > c.growingRatio());
            out.add(new P3Report.Finding("grid (" + r.optimizer() + "): the norm grows", "Δnorm > 0 over most of the grid, < 0 only where λ/η is large",
                    String.format(Locale.ROOT, "Δ‖θ_enc‖ > 0 in %d of %d cells; mean log10(λ/η) %s where it grew, %s where it shrank", c.grew(),
                            c.cells(), g(c.growingRatio()), g(c.shrinkingRatio())), reproduced));
        }
        return out;
    }

    private static String g(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    @Override
    public List<String> excluded() {
        return excluded;
    }

    @Override
    public void write(HtmlReport html, Path plots) throws IOException {
        html.section("2. Learning rate × weight decay");
        LmRunConfig c = config;
        html.paragraph(String.format(Locale.ROOT, "From one initialisation (%s preset, seed %d), one epoch of %s training lines (%s) per "
                        + "(η, λ) on %d × %d log-spaced values from 10^-1 to 10^-5; Δ = ‖θ_enc‖ after − before, θ_enc every parameter but the "
                        + "embeddings and the classifier (the reference's encoder norm). Constant η, batch %d.", c.preset(), c.seeds().getFirst(),
                c.maxTrain() == 0 ? "all" : Integer.toString(c.maxTrain()), Path.of(c.corpus()).getFileName(), grid.points(), grid.points(), c.batch())
                + (c.preset().equals("reference") ? "" : " The reference's grid trains its 12-layer, d 768 model; this one's smaller model "
                        + "keeps the 800 cells within the hour on one GPU (docs/p3.md; --grid-preset reference for the paper's)."));
        if (results.isEmpty()) {
            html.paragraph("Not run yet.");
            return;
        }
        List<XYChart> panels = new ArrayList<>();
        for (NormGrid.Result r : results) {
            double[][] z = new double[r.lrs().length][r.wds().length];
            for (int i = 0; i < z.length; i++) for (int j = 0; j < z[i].length; j++) z[i][j] = signedLog(r.delta(i, j));
            panels.add(HeatMap.of("Δ‖θ_enc‖ after 1 epoch, " + r.optimizer(), "learning rate η", "weight decay λ", r.lrs(), r.wds(), z, true, true));
        }
        html.figure(Figure.grid(Math.min(2, panels.size()), panels).save(plots, "grid"),
                "Per cell the signed log sign(Δ)·log10(1 + |Δ|/1e-4) of the change of the encoder norm: reds the norm grew, blues it "
                        + "shrank (the darker shade beyond half the largest magnitude); empty cells diverged. The paper: growth except where "
                        + "λ/η is large (the upper left).", "plots/grid.svg");
        for (NormGrid.Result r : results) {
            Census s = census(r);
            html.paragraph(String.format(Locale.ROOT, "%s: the norm grew in %d of %d cells (from %s).", r.optimizer(), s.grew(), s.cells(),
                    g(r.before()[0][0])));
            if (r.lrs().length > 10) continue;
            List<String> header = new ArrayList<>(List.of("η \\ λ"));
            for (double wd : r.wds()) header.add(g(wd));
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < r.lrs().length; i++) {
                List<String> row = new ArrayList<>(List.of(g(r.lrs()[i])));
                for (int j = 0; j < r.wds().length; j++) row.add(String.format(Locale.ROOT, "%+.3g", r.delta(i, j)));
                rows.add(row);
            }
            html.table(header, rows);
        }
    }
}
