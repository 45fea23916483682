package org.biaslab.probe.spectrum;

import java.util.ArrayList;
import java.util.List;
import org.biaslab.probe.smoothing.Asymmetry;
import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Spectral statistics of one layer's value–output maps: means over heads h of max|λ(H_h)|, tr H_h, the asymmetry
 * ‖H_h − H_hᵀ‖_F / ‖H_h + H_hᵀ‖_F and the fraction of H_h's non-zero eigenvalues with a negative real part (the
 * sharpening side, papers.md §P2.2); and max|λ| and the asymmetry of the layer's Σ_h H_h.
 */
public record LayerSpectrum(String attention, String norm, int heads, double maxAbsEigMean, double traceMean, double asymmetryMean,
                            double negativeFraction, double sumMaxAbsEig, double sumAsymmetry) {
    /** The statistics of each layer. */
    public static List<LayerSpectrum> of(List<ValueOutput> layers) {
        List<LayerSpectrum> out = new ArrayList<>();
        for (ValueOutput l : layers) {
            double maxAbs = 0, trace = 0, asym = 0;
            long negative = 0, nonzero = 0;
            for (int h = 0; h < l.heads(); h++) {
                Complex_F64[] eig = l.compactEigenvalues(h);
                double m = 0;
                for (Complex_F64 e : eig) {
                    m = Math.max(m, e.getMagnitude());
                    if (e.getMagnitude() > 0) nonzero++;
                    if (e.real < 0) negative++;
                }
                DMatrixRMaj hh = l.h(h);
                maxAbs += m;
                trace += CommonOps_DDRM.trace(hh);
                asym += Asymmetry.of(hh);
            }
            DMatrixRMaj sum = l.sum();
            double sumMax = 0;
            for (Complex_F64 e : Eigen.values(sum)) sumMax = Math.max(sumMax, e.getMagnitude());
            int n = l.heads();
            out.add(new LayerSpectrum(l.attention(), l.norm(), n, maxAbs / n, trace / n, asym / n,
                    nonzero == 0 ? 0 : (double) negative / nonzero, sumMax, Asymmetry.of(sum)));
        }
        return out;
    }
}
