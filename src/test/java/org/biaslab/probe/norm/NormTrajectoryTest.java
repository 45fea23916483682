package org.biaslab.probe.norm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NormTrajectoryTest {
    /** θ split into two layers of 50 values each, as a parameter map. */
    static Map<String, Tensor> map(double[] theta) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("layers.0.weight", Tensor.of(java.util.Arrays.copyOfRange(theta, 0, 50), 5, 10));
        p.put("layers.1.weight", Tensor.of(java.util.Arrays.copyOfRange(theta, 50, 100), 5, 10));
        return p;
    }

    @Test
    void updatesOfConstantSizeOrthogonalToThetaGrowRhoSquaredLinearly() throws Exception {
        Random rng = new Random(7);
        double u = 0.3;
        List<double[]> thetas = new ArrayList<>();
        double[] theta = new double[100];
        for (int i = 0; i < theta.length; i++) theta[i] = rng.nextGaussian();
        thetas.add(theta.clone());
        for (int t = 0; t < 40; t++) {
            double[] v = new double[100];
            for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
            double proj = dot(v, theta) / dot(theta, theta), vv = 0;
            for (int i = 0; i < v.length; i++) v[i] -= proj * theta[i];   // v ⟂ θ
            vv = Math.sqrt(dot(v, v));
            for (int i = 0; i < v.length; i++) theta[i] += u * v[i] / vv;
            thetas.add(theta.clone());
        }
        List<Long> steps = new ArrayList<>();
        for (long t = 0; t < thetas.size(); t++) steps.add(t * 10);
        List<NormTrajectory.Point> points = NormTrajectory.of(steps, s -> map(thetas.get((int) (s / 10))), ParameterNorms.Selection.ALL);

        double rho0 = points.get(0).norm();
        assertNull(points.get(0).cosPrevious());
        assertNull(points.get(0).alignment());
        for (int t = 1; t < points.size(); t++) {
            NormTrajectory.Point p = points.get(t);
            assertEquals(rho0 * rho0 + u * u * t, p.norm() * p.norm(), 1e-9, "ρ_t² = ρ_0² + u²t");
            assertEquals(0, p.alignment(), 1e-12, "cos(Δθ, θ)");
            assertEquals(points.get(t - 1).norm() / p.norm(), p.cosPrevious(), 1e-12, "cos(θ_t, θ_t+1) = ρ_t/ρ_t+1 for orthogonal steps");
        }
        double[] t = new double[points.size()], rho2 = new double[points.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = points.get(i).step();
            rho2[i] = points.get(i).norm() * points.get(i).norm();
        }
        GrowthFit linear = GrowthFit.all(t, rho2).get(0);
        assertEquals(GrowthFit.Law.LINEAR, linear.law());
        assertEquals(1, linear.r2(), 1e-12);
        assertEquals(u * u / 10, linear.slope(), 1e-12, "ρ² against steps of 10");
    }

    @Test
    void eachLayersAlignmentUsesItsOwnUpdate() throws Exception {
        double[] a = new double[100], b = new double[100];
        for (int i = 0; i < 100; i++) a[i] = Math.sin(i + 1);
        for (int i = 0; i < 50; i++) b[i] = 1.5 * a[i];        // layer 0 grows along itself: alignment 1
        for (int i = 50; i < 100; i++) b[i] = 0.5 * a[i];      // layer 1 shrinks along itself: alignment −1
        List<NormTrajectory.Point> p = NormTrajectory.of(List.of(1L, 2L), s -> map(s == 1 ? a : b), ParameterNorms.Selection.ALL);
        Map<String, NormTrajectory.Layer> layers = p.get(1).layers();
        assertEquals(1, layers.get("layers.0").alignment(), 1e-12);
        assertEquals(-1, layers.get("layers.1").alignment(), 1e-12);
        assertEquals(1, layers.get("layers.0").cosPrevious(), 1e-12);
        double n0 = Math.sqrt(dot(java.util.Arrays.copyOf(a, 50), java.util.Arrays.copyOf(a, 50)));
        assertEquals(1.5 * n0, layers.get("layers.0").norm(), 1e-12);
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }
}
