package org.biaslab.probe.landscape;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * Li et al. (2018)'s filter-normalised directions. A filter is a slice of a parameter along its first axis: a row
 * of a weight matrix stored (out, in) as PyTorch does, the incoming weights of one output unit (of
 * {@code in_proj_weight} (3d, d), one row of W_Q, W_K or W_V; of an embedding table, one token's vector). Every
 * filter d_i of a direction is rescaled to the norm of the same filter θ_i of the parameters,
 * d_i ← d_i · ‖θ_i‖ / ‖d_i‖, so that a step α·d moves each unit by the same fraction of its own weights whatever
 * their scale. Parameters of rank ≤ 1 (biases, LayerNorm γ and β) get d = 0 by default, or, when included, d = θ
 * (Li et al.'s code, {@code ignore='biasbn'} or not).
 */
public final class FilterNormalisation {
    private FilterNormalisation() {}

    /**
     * A Gaussian direction d ~ N(0, I) shaped like θ, drawn from {@code rng} parameter after parameter in the
     * map's order (elements row-major), then filter-normalised; on θ's devices, in θ's dtypes.
     */
    public static LinkedHashMap<String, Tensor> randomDirection(Map<String, Tensor> theta, Rng rng, boolean includeBiasAndNorm) {
        LinkedHashMap<String, Tensor> d = new LinkedHashMap<>();
        for (var e : theta.entrySet()) d.put(e.getKey(), Tensor.randn(rng, DType.F64, e.getValue().shape().dims()));
        return normalise(d, theta, includeBiasAndNorm);
    }

    /** {@code direction} filter-normalised to θ (computed in float64, then put in θ's dtype and on its device). */
    public static LinkedHashMap<String, Tensor> normalise(Map<String, Tensor> direction, Map<String, Tensor> theta,
                                                          boolean includeBiasAndNorm) {
        if (direction.size() != theta.size()) {
            throw new IllegalArgumentException("filter normalisation: the direction has " + direction.size() + " parameters, the model " + theta.size());
        }
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (var e : theta.entrySet()) {
            Tensor w = e.getValue(), d = direction.get(e.getKey());
            if (d == null) throw new IllegalArgumentException("filter normalisation: the direction has no parameter '" + e.getKey() + "'");
            if (!d.shape().equals(w.shape())) {
                throw new IllegalArgumentException("filter normalisation: '" + e.getKey() + "' has shape " + d.shape()
                        + " in the direction, " + w.shape() + " in the parameters");
            }
            double[] dv = d.toDoubleArray(), wv = w.toDoubleArray();
            if (w.shape().rank() <= 1) {
                if (includeBiasAndNorm) dv = wv;
                else Arrays.fill(dv, 0);
            } else {
                int per = dv.length / w.dim(0); // elements of one filter
                for (int f = 0; f < w.dim(0); f++) {
                    double dn = 0, wn = 0;
                    for (int i = f * per; i < (f + 1) * per; i++) {
                        dn += dv[i] * dv[i];
                        wn += wv[i] * wv[i];
                    }
                    double scale = dn == 0 ? 0 : Math.sqrt(wn / dn);
                    for (int i = f * per; i < (f + 1) * per; i++) dv[i] *= scale;
                }
            }
            out.put(e.getKey(), Tensor.of(dv, w.shape().dims()).to(w.dtype()).to(w.device()));
        }
        return out;
    }
}
