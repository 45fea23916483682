package org.biaslab.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x in float32 for the CPU's softmax kernels, a vector of lanes at a time or one value, with the same bits either way:
 * each is the same chain of IEEE float operations (fused multiply-adds, products, a float-to-int conversion), so the
 * result depends neither on the lane an element sits in nor on the vector width, the JIT or the machine. Method:
 * x = n·ln 2 + r with n = rint(x·log₂e) and r in [−ln 2 / 2, ln 2 / 2] (ln 2 split in two, Cody and Waite), e^r by its
 * Taylor polynomial of degree 7 (truncation error 5·10⁻⁹ relative), then the product with 2ⁿ in two factors so that
 * no factor leaves the normal range. Within 1 ulp of the exact value for normal results (FloatExpTest measures it
 * against {@link Math#exp}), as PyTorch's CPU softmax (SLEEF's u10 exp) and CUDA's {@code expf} (2 ulp) are. x below −104
 * gives 0, above 104 infinity, NaN NaN. Its vectors take a tenth to a twentieth of scalar {@code Math.exp}'s time
 * (docs/benchmarks.md).
 */
final class FloatExp {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUND = 0x1.8p23f; // added and subtracted: rounds |v| < 2²² to the nearest integer
    private static final float LN2_HI = 0.693145751953125f; // 15 significant bits: n·LN2_HI is exact for |n| ≤ 2⁸
    private static final float LN2_LO = 1.42860682030941723212e-6f; // ln 2 − LN2_HI
    private static final float LOW = -104f, HIGH = 104f; // beyond them e^x rounds to 0 or overflows
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    private FloatExp() {}

    /** e^x for one value: the lanes' bits of {@link #exp(FloatVector)}. */
    static float exp(float x) {
        float xc = Math.min(Math.max(x, LOW), HIGH);
        float n = Math.fma(xc, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, xc));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(C7, r, C6), r, C5), r, C4), r, C3), r, C2);
        float u = Math.fma(r, Math.fma(r, p, 1f), 1f); // e^r = 1 + r·(1 + r·p(r))
        int q = (int) n, h = q >> 1;
        return u * Float.intBitsToFloat((h + 127) << 23) * Float.intBitsToFloat((q - h + 127) << 23);
    }

    /** e^x lane by lane. */
    static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector xc = x.max(LOW).min(HIGH);
        FloatVector n = xc.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(s, -LN2_LO), n.fma(FloatVector.broadcast(s, -LN2_HI), xc));
        FloatVector p = FloatVector.broadcast(s, C7).fma(r, FloatVector.broadcast(s, C6)).fma(r, FloatVector.broadcast(s, C5))
                .fma(r, FloatVector.broadcast(s, C4)).fma(r, FloatVector.broadcast(s, C3)).fma(r, FloatVector.broadcast(s, C2));
        FloatVector one = FloatVector.broadcast(s, 1f), u = r.fma(r.fma(p, one), one);
        IntVector q = (IntVector) n.convert(VectorOperators.F2I, 0), h = q.lanewise(VectorOperators.ASHR, 1);
        FloatVector low = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector high = q.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return u.mul(low).mul(high);
    }

    /** out[o + j] = e^(a[off + j] − shift) for j < n: vectors of the preferred width, then single values. */
    static void shifted(float[] a, int off, int n, float shift, float[] out, int o) {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        int j = 0;
        for (; j <= n - s.length(); j += s.length()) exp(FloatVector.fromArray(s, a, off + j).sub(shift)).intoArray(out, o + j);
        for (; j < n; j++) out[o + j] = exp(a[off + j] - shift);
    }
}
