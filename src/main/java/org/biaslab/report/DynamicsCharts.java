package org.biaslab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.Arrays;
import java.util.List;
import org.biaslab.report.Charts.Series;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * P1's E3 charts (docs/papers.md §P1.9.3): many runs' curves aligned at convergence, each run a faint line and their mean
 * a bold one, with a red dashed line at x = 0; and the same for a trajectory (LayerNorm blowup on a log x axis
 * against the weight norm). On a logarithmic axis, points ≤ 0 are left out.
 */
public final class DynamicsCharts {
    private static final Color ZERO_LINE = new Color(0xd62728);
    /** Curves of at most this many points get a marker at each: a lone point or a short trajectory would hardly show. */
    private static final int MARKED = 12;

    private DynamicsCharts() {}

    /** Curves against steps after convergence: {@code runs} faint, {@code mean} bold, a red dashed line at x = 0. */
    public static XYChart aligned(String title, String yLabel, List<Series> runs, Series mean, boolean logY, int colour) {
        XYChart chart = Style.chart(title, "Steps after convergence", yLabel);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendVisible(false);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : runs) {
            for (double v : s.y()) {
                if (Double.isFinite(v) && (!logY || v > 0)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        draw(chart, runs, mean, false, logY, colour);
        Style.logAxes(chart);
        if (lo <= hi) {
            XYSeries zero = chart.addSeries("x = 0", new double[] {0, 0}, new double[] {lo, hi});
            zero.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
            zero.setMarker(SeriesMarkers.NONE);
            zero.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10, new float[] {5, 4}, 0));
            zero.setLineColor(ZERO_LINE);
        }
        return chart;
    }

    /** Trajectories (x = LayerNorm blowup on a log axis, y = weight norm): {@code runs} faint, {@code mean} bold. */
    public static XYChart trajectory(String title, String xLabel, String yLabel, List<Series> runs, Series mean, int colour) {
        XYChart chart = Style.chart(title, xLabel, yLabel);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(false);
        draw(chart, runs, mean, true, false, colour);
        Style.logAxes(chart);
        return chart;
    }

    private static void draw(XYChart chart, List<Series> runs, Series mean, boolean logX, boolean logY, int colour) {
        Color c = Style.color(colour);
        // P1 draws its 101 runs at alpha 0.05–0.1; fewer runs need more ink to be seen
        int alpha = Math.max(20, Math.min(100, 400 / Math.max(1, runs.size())));
        for (int i = 0; i < runs.size(); i++) add(chart, "run " + i + " " + runs.get(i).name(), runs.get(i), logX, logY, Style.withAlpha(c, alpha), 1f);
        add(chart, "mean", mean, logX, logY, c, 2.2f);
    }

    private static void add(XYChart chart, String name, Series s, boolean logX, boolean logY, Color c, float width) {
        int n = 0;
        double[] x = new double[s.x().length], y = new double[s.x().length];
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i]) || (logX && s.x()[i] <= 0) || (logY && s.y()[i] <= 0)) continue;
            x[n] = s.x()[i];
            y[n++] = s.y()[i];
        }
        if (n == 0) return;
        XYSeries line = chart.addSeries(name, Arrays.copyOf(x, n), Arrays.copyOf(y, n));
        line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
        line.setMarker(n <= MARKED ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE); // a line of a few points shows where they are
        line.setMarkerColor(c);
        line.setLineWidth(width);
        line.setLineColor(c);
        line.setShowInLegend(false);
    }
}
