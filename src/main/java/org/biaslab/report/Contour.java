package org.biaslab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Contour lines of a function sampled on a rectangular grid (e.g. a loss over a plane of parameters), found by
 * marching squares with linear interpolation along the cell edges, and drawn as an XY chart: one line per level,
 * coloured on the plasma scale from the lowest level (dark blue) to the highest (yellow).
 */
public final class Contour {
    /** A piece of a contour line, from (x0, y0) to (x1, y1). */
    public record Segment(double x0, double y0, double x1, double y1) {}

    /**
     * The cell's edges bottom, right, top, left as corner pairs, each from its lower-left end, so that two cells
     * sharing an edge find the very same crossing on it and their lines join exactly.
     */
    private static final int[][] EDGES = {{0, 1}, {1, 2}, {3, 2}, {0, 3}};

    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_UP};

    private Contour() {}

    /**
     * The segments where z = level, for {@code z[i][j]} at x = xs[i], y = ys[j] (xs and ys increasing). A cell with
     * a non-finite corner has none; a saddle cell (opposite corners on the same side) is resolved by the mean of its
     * corners, the value at its centre under bilinear interpolation.
     */
    public static List<Segment> lines(double[] xs, double[] ys, double[][] z, double level) {
        checkGrid(xs, ys, z);
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i + 1 < xs.length; i++) {
            for (int j = 0; j + 1 < ys.length; j++) {
                // corners counter-clockwise from the lower left: a (i, j), b (i+1, j), c (i+1, j+1), d (i, j+1)
                double[] cx = {xs[i], xs[i + 1], xs[i + 1], xs[i]}, cy = {ys[j], ys[j], ys[j + 1], ys[j + 1]};
                double[] v = {z[i][j], z[i + 1][j], z[i + 1][j + 1], z[i][j + 1]};
                if (!(Double.isFinite(v[0]) && Double.isFinite(v[1]) && Double.isFinite(v[2]) && Double.isFinite(v[3]))) continue;
                // the crossing on edge k (bottom, right, top, left), or null
                double[][] cross = new double[4][];
                int crossings = 0;
                for (int k = 0; k < 4; k++) {
                    int p = EDGES[k][0], q = EDGES[k][1];
                    if ((v[p] < level) == (v[q] < level)) continue;
                    double t = (level - v[p]) / (v[q] - v[p]);
                    cross[k] = new double[] {(1 - t) * cx[p] + t * cx[q], (1 - t) * cy[p] + t * cy[q]};
                    crossings++;
                }
                if (crossings == 2) {
                    double[] p = null;
                    for (double[] c : cross) {
                        if (c == null) continue;
                        if (p == null) p = c;
                        else add(out, p, c);
                    }
                } else if (crossings == 4) {
                    boolean centreBelow = (v[0] + v[1] + v[2] + v[3]) / 4 < level;
                    // the centre joins a and c when it lies on their side: the lines then cut off corners b and d
                    int first = centreBelow == (v[0] < level) ? 0 : 3;
                    add(out, cross[first], cross[(first + 1) % 4]);
                    add(out, cross[(first + 2) % 4], cross[(first + 3) % 4]);
                }
            }
        }
        return out;
    }

    /** The segment p–q, unless it is a point (a cell whose only corner on the line is at the level). */
    private static void add(List<Segment> out, double[] p, double[] q) {
        if (p[0] != q[0] || p[1] != q[1]) out.add(new Segment(p[0], p[1], q[0], q[1]));
    }

    /**
     * {@code count} levels spread over the finite values of z strictly between their least and greatest:
     * evenly, or evenly in log with {@code log} (for values spanning decades, like a loss near a minimum; the
     * non-positive values are then left out).
     */
    public static double[] levels(double[][] z, int count, boolean log) {
        if (count < 1) throw new IllegalArgumentException("contour: needs at least one level, got " + count);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] column : z) {
            for (double v : column) {
                if (!Double.isFinite(v) || (log && v <= 0)) continue;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!(lo < hi)) return new double[0];
        double[] out = new double[count];
        for (int k = 0; k < count; k++) {
            double t = (k + 1.0) / (count + 1);
            out[k] = log ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
        }
        return out;
    }

    /**
     * The contour lines of z at {@code levels} (ascending), one colour each with its value in the legend, and
     * {@code marks} as black points named in the legend (e.g. the point the grid is centred on): a circle, a square, a
     * diamond, a triangle, in the map's order.
     */
    public static XYChart of(String title, String xLabel, String yLabel, double[] xs, double[] ys, double[][] z,
                             double[] levels, Map<String, Charts.Point> marks) {
        checkGrid(xs, ys, z);
        XYChart chart = Style.chart(title, xLabel, yLabel);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisMin(xs[0]).setXAxisMax(xs[xs.length - 1]).setYAxisMin(ys[0]).setYAxisMax(ys[ys.length - 1]);
        for (int k = 0; k < levels.length; k++) {
            List<Segment> segments = lines(xs, ys, z, levels[k]);
            if (segments.isEmpty()) continue;
            // the segments as one line broken by NaN, which XChart does not join across
            double[] x = new double[3 * segments.size()], y = new double[3 * segments.size()];
            for (int s = 0; s < segments.size(); s++) {
                Segment g = segments.get(s);
                x[3 * s] = g.x0();
                y[3 * s] = g.y0();
                x[3 * s + 1] = g.x1();
                y[3 * s + 1] = g.y1();
                x[3 * s + 2] = g.x1();
                y[3 * s + 2] = Double.NaN;
            }
            XYSeries line = chart.addSeries(Numbers.tick(levels[k]), x, y);
            line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            // plasma up to 0.9: its last yellow is barely visible on white
            Color c = Plasma.at(levels.length == 1 ? 0 : 0.9 * k / (levels.length - 1));
            line.setLineColor(c);
            line.setMarkerColor(c);
        }
        int m = 0;
        for (var mark : marks.entrySet()) {
            XYSeries point = chart.addSeries(mark.getKey(), new double[] {mark.getValue().x()}, new double[] {mark.getValue().y()});
            point.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            point.setMarker(MARKERS[m++ % MARKERS.length]);
            point.setMarkerColor(Color.BLACK);
        }
        return chart;
    }

    private static void checkGrid(double[] xs, double[] ys, double[][] z) {
        if (xs.length < 2 || ys.length < 2) {
            throw new IllegalArgumentException("contour: needs at least 2 × 2 grid points, got " + xs.length + " × " + ys.length);
        }
        if (z.length != xs.length) throw new IllegalArgumentException("contour: " + z.length + " columns for " + xs.length + " x values");
        for (int i = 0; i < z.length; i++) {
            if (z[i].length != ys.length) {
                throw new IllegalArgumentException("contour: column " + i + " has " + z[i].length + " values for " + ys.length + " y values");
            }
        }
    }
}
