package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ContourTest {
    @TempDir
    Path dir;

    static final int S = 41;
    static final double H = 0.1;

    static double[] axis() {
        double[] v = new double[S];
        for (int i = 0; i < S; i++) v[i] = -2 + H * i;
        return v;
    }

    /** x² + y² on [−2, 2]² at spacing 0.1. */
    static double[][] bowl() {
        double[] x = axis();
        double[][] z = new double[S][S];
        for (int i = 0; i < S; i++) for (int j = 0; j < S; j++) z[i][j] = x[i] * x[i] + x[j] * x[j];
        return z;
    }

    @Test
    void theLevelsOfXSquaredPlusYSquaredAreClosedCirclesOfRadiusRootC() {
        for (double c : new double[] {0.25, 1, 2.25}) {
            List<Contour.Segment> lines = Contour.lines(axis(), axis(), bowl(), c);
            double r = Math.sqrt(c), length = 0;
            Map<String, Integer> ends = new HashMap<>();
            for (Contour.Segment s : lines) {
                // along an edge of length h the linear interpolant of x² + y² is off by at most h²/4, which moves the
                // crossing radially by about h²/(8r): a margin of 8 on that
                assertEquals(r, Math.hypot(s.x0(), s.y0()), H * H / r, "level " + c);
                assertEquals(r, Math.hypot(s.x1(), s.y1()), H * H / r, "level " + c);
                length += Math.hypot(s.x1() - s.x0(), s.y1() - s.y0());
                ends.merge(key(s.x0(), s.y0()), 1, Integer::sum);
                ends.merge(key(s.x1(), s.y1()), 1, Integer::sum);
            }
            assertEquals(2 * Math.PI * r, length, 0.01 * 2 * Math.PI * r, "the circumference at level " + c);
            assertTrue(ends.values().stream().allMatch(n -> n == 2), "every end point joins exactly two segments: closed curves at level " + c);
        }
        assertTrue(Contour.lines(axis(), axis(), bowl(), 9).isEmpty(), "no line above the grid's largest value (8)");
    }

    private static String key(double x, double y) {
        return x + "," + y;
    }

    @Test
    void aSaddleCellIsSplitByItsCentreValue() {
        double[] xy = {0, 1};
        double[][] z = {{1, -1}, {-1, 1}}; // z[i][j]: 1 at (0,0) and (1,1), −1 at (1,0) and (0,1); centre 0
        // at level 0.5 the centre is below, with (1,0) and (0,1): the lines cut off the corners (0,0) and (1,1)
        List<Contour.Segment> high = Contour.lines(xy, xy, z, 0.5);
        assertEquals(List.of(new Contour.Segment(0, 0.25, 0.25, 0), new Contour.Segment(1, 0.75, 0.75, 1)), high);
        // at level −0.5 the centre is above, with (0,0) and (1,1): the lines cut off (1,0) and (0,1)
        List<Contour.Segment> low = Contour.lines(xy, xy, z, -0.5);
        assertEquals(List.of(new Contour.Segment(0.75, 0, 1, 0.25), new Contour.Segment(0.25, 1, 0, 0.75)), low);
    }

    @Test
    void cellsWithANonFiniteCornerHaveNoLine() {
        double[][] z = bowl();
        z[20][20] = Double.NaN; // the centre: the four cells around it drop out
        assertEquals(4, Contour.lines(axis(), axis(), bowl(), 0.005).size(), "a diamond around the centre, the only point below 0.005");
        assertEquals(0, Contour.lines(axis(), axis(), z, 0.005).size(), "the level 0.005 only crosses the four cells around the centre");
    }

    @Test
    void levelsAreEvenlySpacedInsideTheRangeOrEvenlyInLog() {
        double[][] z = {{1, 2}, {5, 1000}};
        assertArrayEquals(new double[] {334, 667}, Contour.levels(z, 2, false), 1e-9);
        assertArrayEquals(new double[] {10, 100}, Contour.levels(z, 2, true), 1e-9);
        assertEquals(0, Contour.levels(new double[][] {{3, 3}, {3, 3}}, 4, false).length, "a constant has no levels");
    }

    @Test
    void theChartHasALineForEveryLevelCrossedAndTheMarksAndRendersToValidFiles() throws Exception {
        XYChart chart = Contour.of("x² + y²", "x", "y", axis(), axis(), bowl(), new double[] {0.25, 1, 2.25, 100},
                Map.of("origin", new Charts.Point(0, 0)));
        assertEquals(List.of("0.25", "1", "2.25", "origin"), chart.getSeriesCollection().stream().map(s -> s.getName()).toList(), "level 100 crosses no cell");
        Figure.of(chart).save(dir, "bowl");
        ValidFiles.png(dir.resolve("bowl.png"));
        ValidFiles.svg(dir.resolve("bowl.svg"));
        var e = assertThrows(IllegalArgumentException.class, () -> Contour.lines(new double[] {0, 1}, new double[] {0, 1, 2}, new double[][] {{0, 0}, {0, 0}}, 0));
        assertEquals("contour: column 0 has 2 values for 3 y values", e.getMessage());
    }
}
