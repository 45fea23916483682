package org.biaslab.probe.landscape;

/**
 * The points of a slice: α_i = ((S − 1 − i)·a + i·b)/(S − 1) for i < S, exactly a and b at the ends (0 and 1 lie
 * on the grid of [−0.5, 1.5] whenever S − 1 is a multiple of 4); β likewise on a plane, β = {0} on a line.
 */
public record Grid(double[] alphas, double[] betas) {
    /** S points of [a, b] along α. */
    public static Grid line(double a, double b, int steps) {
        return new Grid(spaced(a, b, steps), new double[] {0});
    }

    /** S × S points of [a, b]² (α along δ, β along η). */
    public static Grid square(double a, double b, int steps) {
        return new Grid(spaced(a, b, steps), spaced(a, b, steps));
    }

    /** The number of points. */
    public int size() {
        return alphas.length * betas.length;
    }

    private static double[] spaced(double a, double b, int steps) {
        if (steps < 2) throw new IllegalArgumentException("landscape: needs at least 2 steps, got " + steps);
        if (!(Double.isFinite(a) && Double.isFinite(b) && a < b)) {
            throw new IllegalArgumentException("landscape: the range must be finite with A < B, got " + a + "," + b);
        }
        double[] v = new double[steps];
        for (int i = 0; i < steps; i++) v[i] = ((steps - 1 - i) * a + i * b) / (steps - 1);
        v[0] = a;
        v[steps - 1] = b;
        return v;
    }
}
