package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** {@link FloatExp} against the exact exponential (double {@link Math#exp}), and its lanes against its scalar form. */
class FloatExpTest {
    /** |f − e^x| in units of the float ulp at e^x, with e^x from double precision (its own error is 2⁻²⁹ of that ulp). */
    private static double ulps(float x, float f) {
        double exact = Math.exp(x);
        return Math.abs(f - exact) / Math.ulp((float) exact);
    }

    @Test
    void withinOneUlpOfTheExactValueWhereverTheResultIsNormal() {
        double worst = 0;
        float at = 0;
        int same = 0, count = 0;
        // every 97th float from −87.3 (e^x the smallest normal float) to 88.7 (the largest): about 22 million
        for (int bits = Float.floatToRawIntBits(-87.33f); bits < 0 && bits != 0x80000000; bits -= 97) {
            float x = Float.intBitsToFloat(bits);
            double u = ulps(x, FloatExp.exp(x));
            if (u > worst) { worst = u; at = x; }
            same += FloatExp.exp(x) == (float) Math.exp(x) ? 1 : 0;
            count++;
        }
        for (int bits = 0; Float.intBitsToFloat(bits) < 88.72f; bits += 97) {
            float x = Float.intBitsToFloat(bits);
            double u = ulps(x, FloatExp.exp(x));
            if (u > worst) { worst = u; at = x; }
            same += FloatExp.exp(x) == (float) Math.exp(x) ? 1 : 0;
            count++;
        }
        System.out.printf("FloatExp: worst %.3f ulp at x = %s; %.2f%% of %d values equal (float) Math.exp%n", worst, at, 100.0 * same / count, count);
        assertTrue(worst <= 1.0, "worst error " + worst + " ulp at x = " + at);
    }

    @Test
    void edgesAndSpecialValues() {
        assertEquals(1f, FloatExp.exp(0f));
        assertEquals(1f, FloatExp.exp(-0f));
        assertTrue(Float.isNaN(FloatExp.exp(Float.NaN)));
        assertEquals(0f, FloatExp.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FloatExp.exp(-104f));
        assertEquals(0f, FloatExp.exp(-1e30f));
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.exp(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.exp(88.73f));
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.exp(1e30f));
        assertTrue(ulps(88.72f, FloatExp.exp(88.72f)) <= 1, "just below overflow");
        assertTrue(ulps(-1f, FloatExp.exp(-1f)) <= 1);
        // subnormal results stay within one subnormal step of the exact value
        for (float x = -103.9f; x < -87.4f; x += 0.37f) {
            double exact = Math.exp(x);
            assertTrue(Math.abs(FloatExp.exp(x) - exact) <= Float.MIN_VALUE, "x = " + x + ": " + FloatExp.exp(x) + " vs " + exact);
        }
    }

    @Test
    void everyLaneHasTheScalarBitsWhateverTheVectorWidth() {
        Random random = new Random(3);
        float[] x = new float[4099];
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextGaussian() * 30);
        float[] specials = {0f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -104f, -103.99f, 88.72f,
                            88.73f, -87.33f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE, 0.34657359f, -0.34657359f};
        System.arraycopy(specials, 0, x, 100, specials.length);
        for (VectorSpecies<Float> s : java.util.List.of(FloatVector.SPECIES_128, FloatVector.SPECIES_256, FloatVector.SPECIES_PREFERRED)) {
            for (int i = 0; i + s.length() <= x.length; i += s.length()) {
                float[] lanes = FloatExp.exp(FloatVector.fromArray(s, x, i)).toArray();
                for (int l = 0; l < lanes.length; l++) {
                    assertEquals(Float.floatToRawIntBits(FloatExp.exp(x[i + l])), Float.floatToRawIntBits(lanes[l]),
                            s + " lane " + l + ", x = " + x[i + l]);
                }
            }
        }
    }

    @Test
    void aShiftedRowHasTheScalarBitsInItsVectorsAndItsTail() {
        Random random = new Random(5);
        float[] a = new float[3 + 2 * FloatVector.SPECIES_PREFERRED.length() + 5], out = new float[a.length + 4];
        for (int i = 0; i < a.length; i++) a[i] = (float) (random.nextGaussian() * 8);
        int n = a.length - 3;
        FloatExp.shifted(a, 3, n, 2.5f, out, 4);
        for (int j = 0; j < n; j++) {
            assertEquals(Float.floatToRawIntBits(FloatExp.exp(a[3 + j] - 2.5f)), Float.floatToRawIntBits(out[4 + j]), "element " + j);
        }
        for (int j = 0; j < 4; j++) assertEquals(0f, out[j], "nothing written before the offset");
    }
}
