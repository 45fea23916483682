package org.biaslab.probe.interpret;

/**
 * How much patching moved the output y: {@code maxAbs} = max |y_patched − y_B|, {@code relative} = ‖y_patched − y_B‖ /
 * ‖y_B‖, and {@code restored} = ⟨y_patched − y_B, y_A − y_B⟩ / ‖y_A − y_B‖² (0: B's output kept, 1: A's output
 * reached; NaN when A and B give the same output).
 */
public record PatchEffect(double maxAbs, double relative, double restored) {
    /** The effect measured on patching's three outputs. */
    public static PatchEffect of(ActivationPatching.Outputs o) {
        double[] b = o.clean().toDoubleArray(), p = o.patched().toDoubleArray(), a = o.source().toDoubleArray();
        double max = 0, moved = 0, norm = 0, dot = 0, gap = 0;
        for (int i = 0; i < b.length; i++) {
            double d = p[i] - b[i], g = a[i] - b[i];
            max = Math.max(max, Math.abs(d));
            moved += d * d;
            norm += b[i] * b[i];
            dot += d * g;
            gap += g * g;
        }
        return new PatchEffect(max, Math.sqrt(moved / norm), gap == 0 ? Double.NaN : dot / gap);
    }
}
