package org.biaslab.probe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Module;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * P1's LayerNorm blowup (docs/papers.md §P1.5), read from the LN inputs Z (…, T, d) at the hooks
 * {@code <part>.layers.<k>.norm1|norm2.hook_in} — the encoder layers, and the decoder layers of the scratchpad
 * model; not {@code norm3} and not the final norms. For each LN, inv_std[b, i] = 1/std(Z[b, i, :]) with the
 * Bessel-corrected std (÷ (d − 1)) and no eps; for the last layer of a part only the final position counts. Per
 * example b, over the LNs ℓ of a part:
 * <pre>
 *   blowup_&lt;part&gt;_maxs_prod  = Π_ℓ max_i inv_std_ℓ[b, i]     (the "LayerNorm Blowup" of P1's figures)
 *   blowup_&lt;part&gt;_means_prod = Π_ℓ mean_i inv_std_ℓ[b, i]
 *   blowup_&lt;part&gt;_maxs_sum   = Σ_ℓ max_i …,   blowup_&lt;part&gt;_means_sum = Σ_ℓ mean_i …
 * </pre>
 * each reported as its mean over the batch, plus the per-LN diagnostics inv_std_&lt;part&gt;_&lt;k&gt;_ln&lt;1|2&gt;_mean (mean over
 * b and i) and _max (mean over b of max_i). The part is the module holding the layers without a plural s:
 * {@code encoders} (P1Transformer) and {@code model.encoder} give {@code encoder}, {@code model.decoder} {@code decoder}.
 */
public final class LayerNormBlowup {
    /** The hook points read (filtered further to norm1 and norm2 of numbered layers). */
    public static final String HOOKS = "**.layers.*.norm*.hook_in";
    private static final Pattern POINT = Pattern.compile("(?:.*\\.)?([^.]+)\\.layers\\.(\\d+)\\.norm([12])\\.hook_in");

    private LayerNormBlowup() {}

    /**
     * Runs {@code forward} (one forward pass of {@code model}) with the LN inputs captured; the values of each member.
     * Only the last position of the last layer counts, so a model read out there may compute that layer there alone.
     */
    public static Map<String, double[]> measure(Module model, Runnable forward) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        try (var off = GradMode.off(); Hooks.Capture c = model.hooks().captureAtReadout(HOOKS)) {
            forward.run();
            for (var e : c.values().entrySet()) inputs.put(e.getKey(), e.getValue().get(e.getValue().size() - 1));
        }
        return of(inputs, model.members());
    }

    /** The blowup values of each member from LN inputs by hook name: (…, T, d), or (E, …, T, d) for E members. */
    public static Map<String, double[]> of(Map<String, Tensor> lnInputs, int members) {
        // part → layer → ln (1|2) → tensor, in order
        Map<String, TreeMap<Integer, TreeMap<Integer, Tensor>>> parts = new TreeMap<>();
        for (var e : lnInputs.entrySet()) {
            Matcher m = POINT.matcher(e.getKey());
            if (!m.matches()) continue;
            String part = m.group(1).endsWith("s") ? m.group(1).substring(0, m.group(1).length() - 1) : m.group(1);
            parts.computeIfAbsent(part, k -> new TreeMap<>()).computeIfAbsent(Integer.parseInt(m.group(2)), k -> new TreeMap<>())
                    .put(Integer.parseInt(m.group(3)), e.getValue());
        }
        if (parts.isEmpty()) throw new IllegalArgumentException("LN blowup: no norm1/norm2 inputs among " + lnInputs.keySet());
        Map<String, double[]> blowups = new LinkedHashMap<>(), diagnostics = new LinkedHashMap<>();
        for (var part : parts.entrySet()) {
            String p = part.getKey();
            int last = part.getValue().lastKey();
            double[][] maxsProd = null, meansProd = null, maxsSum = null, meansSum = null; // (E, B)
            for (var layer : part.getValue().entrySet()) {
                for (var ln : layer.getValue().entrySet()) {
                    double[][][] inv = inverseStd(ln.getValue(), members, layer.getKey() == last); // (E, B, positions)
                    int batch = inv[0].length;
                    if (maxsProd == null) {
                        maxsProd = filled(members, batch, 1);
                        meansProd = filled(members, batch, 1);
                        maxsSum = new double[members][batch];
                        meansSum = new double[members][batch];
                    }
                    double[] meanOfMeans = new double[members], meanOfMaxs = new double[members];
                    for (int e = 0; e < members; e++) {
                        for (int b = 0; b < batch; b++) {
                            double max = Double.NEGATIVE_INFINITY, mean = 0;
                            for (double v : inv[e][b]) {
                                max = Math.max(max, v);
                                mean += v / inv[e][b].length;
                            }
                            maxsProd[e][b] *= max;
                            meansProd[e][b] *= mean;
                            maxsSum[e][b] += max;
                            meansSum[e][b] += mean;
                            meanOfMaxs[e] += max / batch;
                            meanOfMeans[e] += mean / batch;
                        }
                    }
                    String name = "inv_std_" + p + "_" + layer.getKey() + "_ln" + ln.getKey();
                    diagnostics.put(name + "_mean", meanOfMeans);
                    diagnostics.put(name + "_max", meanOfMaxs);
                }
            }
            blowups.put("blowup_" + p + "_maxs_prod", batchMean(maxsProd));
            blowups.put("blowup_" + p + "_means_prod", batchMean(meansProd));
            blowups.put("blowup_" + p + "_maxs_sum", batchMean(maxsSum));
            blowups.put("blowup_" + p + "_means_sum", batchMean(meansSum));
        }
        blowups.putAll(diagnostics);
        return blowups;
    }

    /**
     * 1/std over the last axis, Bessel-corrected, no eps: (E, B, T), or (E, B, 1) at the final position only. The
     * variance (two-pass) is reduced where z lives, so a GPU hands back one number per row, not the activations.
     */
    static double[][][] inverseStd(Tensor z, int members, boolean finalPositionOnly) {
        int[] dims = z.shape().dims();
        int d = dims[dims.length - 1], t = dims[dims.length - 2];
        if (d < 2) throw new IllegalArgumentException("LN blowup: needs at least 2 features, got " + d);
        Tensor rows = finalPositionOnly ? z.slice(-2, t - 1, t) : z; // (…, T', d)
        double[] var = rows.var(false, 1, -1).toDoubleArray(); // (…, T')
        int positions = finalPositionOnly ? 1 : t, examples = var.length / positions, batch = examples / members;
        double[][][] out = new double[members][batch][positions];
        for (int r = 0; r < examples; r++) {
            for (int i = 0; i < positions; i++) out[r / batch][r % batch][i] = 1 / Math.sqrt(var[r * positions + i]);
        }
        return out;
    }

    private static double[][] filled(int e, int b, double value) {
        double[][] a = new double[e][b];
        for (double[] row : a) java.util.Arrays.fill(row, value);
        return a;
    }

    private static double[] batchMean(double[][] perExample) {
        double[] m = new double[perExample.length];
        for (int e = 0; e < m.length; e++) {
            for (double v : perExample[e]) m[e] += v / perExample[e].length;
        }
        return m;
    }
}
