package org.biaslab.probe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
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
        Map<String, double[]> var = new LinkedHashMap<>();
        variances(lnInputs).forEach((name, v) -> var.put(name, v.toDoubleArray()));
        return fromVariances(var, members);
    }

    /**
     * The variances the blowup is read from, on the LN inputs' device, by hook name (norm1 and norm2 of numbered
     * layers only): over the last axis, Bessel-corrected (÷ (d − 1)), (…, T), or (…, 1) at the final position for the
     * last layer of a part. Reduced where Z lives, so a GPU hands back one number per row, not the activations.
     */
    public static Map<String, Tensor> variances(Map<String, Tensor> lnInputs) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Point p : points(lnInputs.keySet())) {
            Tensor z = lnInputs.get(p.name());
            int[] dims = z.shape().dims();
            int d = dims[dims.length - 1], t = dims[dims.length - 2];
            if (d < 2) throw new IllegalArgumentException("LN blowup: needs at least 2 features, got " + d);
            Tensor rows = p.finalPositionOnly() ? z.slice(-2, t - 1, t) : z; // (…, T', d)
            out.put(p.name(), rows.var(false, 1, -1)); // (…, T'), two-pass
        }
        return out;
    }

    /**
     * The blowup values of each member from {@link #variances}' values read back, by hook name; inv_std = 1/√var with
     * no eps. The examples of a part are as many as its last layer's values.
     */
    public static Map<String, double[]> fromVariances(Map<String, double[]> variances, int members) {
        List<Point> points = points(variances.keySet());
        if (points.isEmpty()) throw new IllegalArgumentException("LN blowup: no norm1/norm2 inputs among " + variances.keySet());
        Map<String, double[]> blowups = new LinkedHashMap<>(), diagnostics = new LinkedHashMap<>();
        for (int from = 0; from < points.size(); ) {
            String part = points.get(from).part();
            int to = from;
            while (to < points.size() && points.get(to).part().equals(part)) to++;
            int examples = variances.get(points.get(to - 1).name()).length, batch = examples / members; // the last layer's: one per example
            double[] maxsProd = filled(examples, 1), meansProd = filled(examples, 1), maxsSum = new double[examples], meansSum = new double[examples];
            for (Point p : points.subList(from, to)) {
                double[] var = variances.get(p.name());
                int positions = var.length / examples;
                double[] meanOfMeans = new double[members], meanOfMaxs = new double[members];
                for (int r = 0; r < examples; r++) {
                    double max = Double.NEGATIVE_INFINITY, mean = 0;
                    for (int i = 0; i < positions; i++) {
                        double v = 1 / Math.sqrt(var[r * positions + i]);
                        max = Math.max(max, v);
                        mean += v / positions;
                    }
                    maxsProd[r] *= max;
                    meansProd[r] *= mean;
                    maxsSum[r] += max;
                    meansSum[r] += mean;
                    meanOfMaxs[r / batch] += max / batch;
                    meanOfMeans[r / batch] += mean / batch;
                }
                String name = "inv_std_" + part + "_" + p.layer() + "_ln" + p.ln();
                diagnostics.put(name + "_mean", meanOfMeans);
                diagnostics.put(name + "_max", meanOfMaxs);
            }
            blowups.put("blowup_" + part + "_maxs_prod", batchMean(maxsProd, members));
            blowups.put("blowup_" + part + "_means_prod", batchMean(meansProd, members));
            blowups.put("blowup_" + part + "_maxs_sum", batchMean(maxsSum, members));
            blowups.put("blowup_" + part + "_means_sum", batchMean(meansSum, members));
            from = to;
        }
        blowups.putAll(diagnostics);
        return blowups;
    }

    /** One LN input read: its hook name, its part, layer and LN (1 or 2), and whether its layer is its part's last. */
    private record Point(String name, String part, int layer, int ln, boolean finalPositionOnly) {}

    /** The norm1/norm2 points among {@code names}, ordered by part, layer and LN. */
    private static List<Point> points(Collection<String> names) {
        // part → layer → ln (1|2) → hook name, in order
        Map<String, TreeMap<Integer, TreeMap<Integer, String>>> parts = new TreeMap<>();
        for (String name : names) {
            Matcher m = POINT.matcher(name);
            if (!m.matches()) continue;
            String part = m.group(1).endsWith("s") ? m.group(1).substring(0, m.group(1).length() - 1) : m.group(1);
            parts.computeIfAbsent(part, k -> new TreeMap<>()).computeIfAbsent(Integer.parseInt(m.group(2)), k -> new TreeMap<>())
                    .put(Integer.parseInt(m.group(3)), name);
        }
        List<Point> out = new ArrayList<>();
        parts.forEach((part, layers) -> layers.forEach((layer, lns) -> lns.forEach((ln, name) ->
                out.add(new Point(name, part, layer, ln, layer.equals(layers.lastKey()))))));
        return out;
    }

    private static double[] filled(int n, double value) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    /** Per member, the mean of its examples' values (member-major). */
    private static double[] batchMean(double[] perExample, int members) {
        int batch = perExample.length / members;
        double[] m = new double[members];
        for (int r = 0; r < perExample.length; r++) m[r / batch] += perExample[r] / batch;
        return m;
    }
}
