package org.biaslab.probe.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.Complex_F64;

/** Multiset equality of complex spectra: each expected value is matched to a distinct nearest actual one. */
final class SpectraAssert {
    private SpectraAssert() {}

    static void sameMultiset(Complex_F64[] expected, Complex_F64[] actual, double tol) {
        assertEquals(expected.length, actual.length, "number of eigenvalues");
        boolean[] used = new boolean[actual.length];
        for (Complex_F64 e : expected) {
            int best = -1;
            double dist = Double.POSITIVE_INFINITY;
            for (int k = 0; k < actual.length; k++) {
                double dk = Math.hypot(e.real - actual[k].real, e.imaginary - actual[k].imaginary);
                if (!used[k] && dk < dist) { dist = dk; best = k; }
            }
            assertTrue(dist <= tol, "eigenvalue " + e + " has no match within " + tol + " (nearest at " + dist + ")");
            used[best] = true;
        }
    }
}
