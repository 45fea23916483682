package org.biaslab.probe.landscape;

import java.util.function.Supplier;
import org.biaslab.nn.Module;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * A model whose loss is the quadratic L(v) = ½ vᵀAv of its parameters v = (w (3, 4) row-major, bias (4)), A
 * symmetric positive definite, evaluated on the host in float64: slices of it have closed forms.
 */
final class Quadratic extends Module {
    static final int N = 16;
    final double[][] a = new double[N][N];

    Quadratic(long seed) {
        super(1);
        Rng rng = new Rng(seed);
        register("w", Tensor.uniform(rng, DType.F64, -1, 1, 3, 4));
        register("bias", Tensor.uniform(rng, DType.F64, -1, 1, 4));
        double[][] m = new double[N][N];
        for (double[] row : m) for (int j = 0; j < N; j++) row[j] = rng.normal();
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                for (int k = 0; k < N; k++) a[i][j] += m[k][i] * m[k][j] / N;
                if (i == j) a[i][j] += 1;
            }
        }
    }

    /** v of a parameter map (the model's own, or a direction). */
    static double[] flat(java.util.Map<String, Tensor> p) {
        double[] v = new double[N];
        System.arraycopy(p.get("w").toDoubleArray(), 0, v, 0, 12);
        System.arraycopy(p.get("bias").toDoubleArray(), 0, v, 12, 4);
        return v;
    }

    /** uᵀAv. */
    double form(double[] u, double[] v) {
        double s = 0;
        for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) s += u[i] * a[i][j] * v[j];
        return s;
    }

    /** L at the current parameters, no accuracy. */
    Supplier<Evaluation> objective() {
        return () -> {
            double[] v = flat(namedParameters());
            return new Evaluation(form(v, v) / 2, Double.NaN);
        };
    }
}
