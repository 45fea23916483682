package org.biaslab.experiment.p2;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.Spectrum;
import org.biaslab.probe.smoothing.Smoothing;
import org.biaslab.probe.spectrum.Dominance;
import org.biaslab.probe.spectrum.SimplifiedLayer;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * P2's simplified layer X ← X + A X H (papers.md §P2.2) on random draws: A = softmax(σ S) row by row with S_ij ~ N(0, 1),
 * H = V Λ Vᵀ with V = QR(Θ).Q, Θ_ij ~ N(0, 1), and Λ from ψ_k ~ N(0, 1) by {@link Spectrum}'s formula ("+": ψ²,
 * "−": clip(−ψ², −1, 0)), X_0 ~ N(0, 1). Each draw is iterated {@code steps} times (rescaled to ‖X‖_F = 1) and its limit
 * classified twice: predicted by the dominant pair of I + Hᵀ⊗A ({@link SimplifiedLayer#predict}), and observed from
 * the last iterate: <b>constant</b> tokens (HFC/LFC &lt; {@value #CONVERGED}: every token the same vector, oversmoothing),
 * <b>collinear</b> tokens that are not constant (distance to rank one &lt; {@value #CONVERGED}: angle convergence), or
 * <b>neither</b>. The paper's claim: "−" never reaches constant tokens, "+" always does.
 *
 * @param draws       draws per variant
 * @param tokens      n, the rows of X and the size of A
 * @param width       d, the columns of X and the size of H
 * @param steps       iterations per draw
 * @param temperature σ, the scale of the attention scores
 * @param traces      draws per variant whose cosine and HFC/LFC are kept over the first {@value #TRACE_STEPS} steps (for the figure)
 * @param seed        the first draw's seed
 */
public record SimplifiedDraws(int draws, int tokens, int width, int steps, double temperature, int traces, long seed) {
    /** Below this, HFC/LFC or the distance to rank one counts as converged. */
    public static final double CONVERGED = 1e-3;
    /** Steps kept in a trace: the draws settle within them. */
    public static final int TRACE_STEPS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    public SimplifiedDraws {
        if (draws < 1 || tokens < 2 || width < 1 || steps < 1) throw new IllegalArgumentException("simplified layer: draws, tokens ≥ 2, width and steps must be positive");
    }

    /** 200 draws per variant of n = 8 tokens, d = 8, 2000 steps, σ = 2. */
    public static SimplifiedDraws quick() {
        return new SimplifiedDraws(200, 8, 8, 2000, 2, 3, 0);
    }

    /** 2000 draws per variant of n = 16 tokens, d = 16, 5000 steps, σ = 2. */
    public static SimplifiedDraws full() {
        return new SimplifiedDraws(2000, 16, 16, 5000, 2, 3, 0);
    }

    /** One draw's outcome: the dominant pair's class and eigenvalues, and the last iterate's metrics and class. */
    public record Draw(String variant, int draw, String predicted, double lambdaA, double lambdaAImag, double lambdaH, String observed,
                       double cosine, double hfcLfc, double rankOneDistance) {}

    /** A draw's token cosine similarity and HFC/LFC after each of the first steps (step 0: X_0). */
    public record Trace(String variant, int draw, double[] cosine, double[] hfcLfc) {}

    /** All draws of both variants and the kept traces. */
    public record Result(SimplifiedDraws config, List<Draw> draws, List<Trace> traces) {
        /** Counts of observed classes per variant and predicted class: variant → predicted → observed → count. */
        public Map<String, Map<String, Map<String, Integer>>> counts() {
            Map<String, Map<String, Map<String, Integer>>> out = new LinkedHashMap<>();
            for (Draw d : draws) {
                out.computeIfAbsent(d.variant(), k -> new LinkedHashMap<>()).computeIfAbsent(d.predicted(), k -> new LinkedHashMap<>())
                        .merge(d.observed(), 1, Integer::sum);
            }
            return out;
        }

        /** How many draws of {@code variant} ended in {@code observed}. */
        public long observed(String variant, String observed) {
            return draws.stream().filter(d -> d.variant().equals(variant) && d.observed().equals(observed)).count();
        }
    }

    /** The draws, read from {@code dir/draws.json} when it holds this configuration, else computed and written there. */
    public Result run(Path dir, Observer observer) throws IOException {
        Path file = dir.resolve("draws.json");
        if (Files.exists(file)) {
            Result r = JSON.readValue(file.toFile(), Result.class);
            if (r.config().equals(this)) {
                observer.say("simplified layer: " + file + " is done");
                return r;
            }
        }
        List<Draw> out = new ArrayList<>();
        List<Trace> kept = new ArrayList<>();
        try (Observer.Task task = observer.start("simplified layer", 2L * draws, 0)) {
            int done = 0;
            for (Spectrum s : List.of(Spectrum.SMOOTH, Spectrum.SHARPEN)) {
                for (int i = 0; i < draws; i++) {
                    out.add(draw(s, i, i < traces ? kept : null));
                    task.done(++done, "");
                }
            }
        }
        Result r = new Result(this, out, kept);
        Files.createDirectories(dir);
        JSON.writeValue(file.toFile(), r);
        return r;
    }

    /** Draw {@code i} of variant {@code s}; its trace is added to {@code traces} unless that is null. */
    Draw draw(Spectrum s, int i, List<Trace> traces) {
        Rng rng = new Rng(seed + 1_000_003L * i + (s == Spectrum.SMOOTH ? 0 : 7));
        DMatrixRMaj a = attention(rng), h = valueOutput(s, rng), x = gaussian(rng, tokens, width);
        SimplifiedLayer.Prediction p = SimplifiedLayer.predict(a, h, Dominance.TOLERANCE);
        int kept = traces == null ? 0 : Math.min(steps, TRACE_STEPS) + 1;
        double[] cos = new double[kept], ratio = new double[kept];
        Smoothing m = Smoothing.of(x);
        for (int k = 0; k <= steps; k++) {
            if (k > 0) x = SimplifiedLayer.iterate(a, h, x, 1);
            if (k < kept || k == steps) m = Smoothing.of(x);
            if (k < kept) {
                cos[k] = m.cosine();
                ratio[k] = m.hfcLfc();
            }
        }
        if (traces != null) traces.add(new Trace(s.sign(), i, cos, ratio));
        String observed = m.hfcLfc() < CONVERGED ? "constant" : m.rankOneDistance() < CONVERGED ? "collinear" : "neither";
        return new Draw(s.sign(), i, p.dominance().kind().name().toLowerCase(java.util.Locale.ROOT), p.lambdaA().real, p.lambdaA().imaginary,
                p.lambdaH().real, observed, m.cosine(), m.hfcLfc(), m.rankOneDistance());
    }

    /** A = softmax(σ S) by rows, S_ij ~ N(0, 1): (n, n), row-stochastic. */
    private DMatrixRMaj attention(Rng rng) {
        DMatrixRMaj a = new DMatrixRMaj(tokens, tokens);
        for (int r = 0; r < tokens; r++) {
            double sum = 0;
            for (int c = 0; c < tokens; c++) {
                double e = Math.exp(temperature * rng.normal());
                a.set(r, c, e);
                sum += e;
            }
            for (int c = 0; c < tokens; c++) a.set(r, c, a.get(r, c) / sum);
        }
        return a;
    }

    /** H = V diag(λ) Vᵀ (d, d), V = QR(Θ).Q, λ from ψ ~ N(0, 1) by the variant's formula. */
    private DMatrixRMaj valueOutput(Spectrum s, Rng rng) {
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(width, width);
        if (!qr.decompose(gaussian(rng, width, width))) throw new IllegalStateException("simplified layer: QR of Θ failed");
        DMatrixRMaj v = qr.getQ(null, false);
        float[] psi = new float[width];
        for (int k = 0; k < width; k++) psi[k] = (float) rng.normal();
        double[] lambda = s.eigenvalues(Tensor.of(psi, width)).toDoubleArray();
        DMatrixRMaj scaled = v.copy();
        CommonOps_DDRM.multCols(scaled, lambda); // V diag(λ)
        return CommonOps_DDRM.multTransB(scaled, v, null); // (d, d) x (d, d)ᵀ -> (d, d)
    }

    private static DMatrixRMaj gaussian(Rng rng, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int k = 0; k < m.data.length; k++) m.data[k] = rng.normal();
        return m;
    }
}
