package org.biaslab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.hipparchus.stat.descriptive.StreamingStatistics;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The chart types of the reports, in P1's style: metric curves over steps, E1's runs with mean ± 2 sd by length,
 * E2's tradeoff scatter (coloured by group or by length) and E5's sensitivity–sharpness scatter. Combine them into
 * panels with {@link Figure}. On a logarithmic axis, points ≤ 0 are left out (they have no place there).
 */
public final class Charts {
    /** A named curve. */
    public record Series(String name, double[] x, double[] y) {}

    /** One run's value at x (e.g. the input length). */
    public record Point(double x, double y) {}

    private Charts() {}

    /** Curves over steps (e.g. train/loss and eval/loss), one colour each; {@code logY} for losses. */
    public static XYChart lines(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
        XYChart chart = Style.chart(title, xLabel, yLabel);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendVisible(series.size() > 1);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            double[][] xy = keep(s.x(), s.y(), false, logY);
            if (xy[0].length == 0) continue;
            XYSeries line = chart.addSeries(s.name(), xy[0], xy[1]);
            line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
            line.setMarker(xy[0].length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE); // a lone point needs a mark to be seen
            line.setLineStyle(new BasicStroke(1.8f)); // solid: XChart dashes every fourth series by default
            paint(line, Style.color(s.name(), i));
        }
        legendOutside(chart);
        Style.logAxes(chart);
        return chart;
    }

    /** How captions name a logarithmic axis: {@link Style#logAxis} draws it linear over a small range. */
    public static final String LOG_AXIS = "log axis, linear where the values span less than a factor of 3";

    /** Fewer runs at an x than this and no ± 2 sd band is drawn there: two or three seeds give no useful spread. */
    public static final int MIN_RUNS_FOR_SPREAD = 4;

    /**
     * P1's E1 plot: each run as a faint dot, the mean over runs at each x as a line with markers, and mean ± 2 sd
     * (sample sd) as thin dashed lines where at least {@link #MIN_RUNS_FOR_SPREAD} runs share the x; one colour per
     * group (e.g. per function). A quantity whose runs are all ≥ 0 has its lower bound cut at 0; on a log y axis a
     * bound ≤ 0 is not drawn.
     */
    public static XYChart meanAndSpread(String title, String xLabel, String yLabel, Map<String, List<Point>> groups,
                                        boolean logY) {
        XYChart chart = Style.chart(title, xLabel, yLabel);
        chart.getStyler().setYAxisLogarithmic(logY);
        int g = 0;
        for (var group : groups.entrySet()) {
            Color color = Style.color(group.getKey(), g++);
            boolean nonNegative = group.getValue().stream().allMatch(p -> p.y() >= 0);
            double[][] runs = keep(group.getValue().stream().mapToDouble(Point::x).toArray(),
                    group.getValue().stream().mapToDouble(Point::y).toArray(), false, logY);
            if (runs[0].length == 0) continue;
            XYSeries dots = chart.addSeries(group.getKey() + " (runs)", runs[0], runs[1]);
            dots.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            dots.setMarker(SeriesMarkers.CIRCLE);
            paint(dots, Style.withAlpha(color, 90));
            dots.setShowInLegend(false);

            TreeMap<Double, StreamingStatistics> byX = new TreeMap<>();
            for (int i = 0; i < runs[0].length; i++) byX.computeIfAbsent(runs[0][i], k -> new StreamingStatistics()).addValue(runs[1][i]);
            int m = byX.size();
            double[] x = new double[m], mean = new double[m], lo = new double[m], hi = new double[m];
            int i = 0;
            for (var e : byX.entrySet()) {
                boolean spread = e.getValue().getN() >= MIN_RUNS_FOR_SPREAD;
                double sd = spread ? e.getValue().getStandardDeviation() : Double.NaN;
                x[i] = e.getKey();
                mean[i] = e.getValue().getMean();
                lo[i] = nonNegative ? Math.max(0, mean[i] - 2 * sd) : mean[i] - 2 * sd;
                hi[i] = mean[i] + 2 * sd;
                i++;
            }
            XYSeries line = chart.addSeries(group.getKey(), x, mean);
            line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setLineStyle(new BasicStroke(1.8f));
            paint(line, color);
            for (int side = -1; side <= 1 && Arrays.stream(hi).anyMatch(Double::isFinite); side += 2) {
                double[] bound = side < 0 ? lo : hi;
                // A bound a log axis cannot show breaks the line (NaN) rather than joining its neighbours.
                if (logY) bound = Arrays.stream(bound).map(v -> v > 0 ? v : Double.NaN).toArray();
                XYSeries edge = chart.addSeries(group.getKey() + (side < 0 ? " − 2 sd" : " + 2 sd"), x, bound);
                edge.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
                edge.setMarker(SeriesMarkers.NONE);
                edge.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10, new float[] {4, 3}, 0));
                paint(edge, Style.withAlpha(color, 170));
                edge.setShowInLegend(false);
            }
        }
        legendOutside(chart);
        Style.logAxes(chart);
        return chart;
    }

    /** P1's E2 tradeoff: one diamond per run, one colour per group, optionally logarithmic axes. */
    public static XYChart scatter(String title, String xLabel, String yLabel, Map<String, List<Point>> groups,
                                  boolean logX, boolean logY) {
        return scatter(title, xLabel, yLabel, groups, logX, logY, Set.of());
    }

    /** As the scatter above, with square markers for the groups named in {@code squares} (P1's "Random function"). */
    public static XYChart scatter(String title, String xLabel, String yLabel, Map<String, List<Point>> groups,
                                  boolean logX, boolean logY, Set<String> squares) {
        XYChart chart = Style.chart(title, xLabel, yLabel);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        int g = 0;
        for (var group : groups.entrySet()) {
            XYSeries dots = dots(chart, group.getKey(), group.getValue(), Style.withAlpha(Style.color(group.getKey(), g++), 200), logX, logY);
            if (dots != null && squares.contains(group.getKey())) dots.setMarker(SeriesMarkers.SQUARE);
        }
        List<Point> all = groups.values().stream().flatMap(List::stream).toList();
        if (!logX) pad(chart, true, all.stream().mapToDouble(Point::x).filter(Double::isFinite).toArray());
        if (!logY) pad(chart, false, all.stream().mapToDouble(Point::y).filter(Double::isFinite).toArray());
        legendOutside(chart);
        Style.logAxes(chart);
        return chart;
    }

    /**
     * P1's colour-by-length tradeoff plot: points coloured by a value (e.g. the length n) on matplotlib's plasma scale,
     * dark blue at the smallest value and yellow at the largest; the legend names up to six values as the colour key.
     */
    public static XYChart scatterByValue(String title, String xLabel, String yLabel, String valueName,
                                         SortedMap<Integer, List<Point>> byValue, boolean logX, boolean logY) {
        XYChart chart = Style.chart(title, xLabel, yLabel);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        if (byValue.isEmpty()) return chart;
        int lo = byValue.firstKey(), hi = byValue.lastKey(), i = 0;
        int every = Math.max(1, (byValue.size() + 5) / 6);
        for (var e : byValue.entrySet()) {
            // the scale stops at 0.9 of plasma: its last yellow is barely visible on white
            Color c = Style.withAlpha(Plasma.at(hi == lo ? 0 : 0.9 * (e.getKey() - lo) / (double) (hi - lo)), 170);
            XYSeries dots = dots(chart, valueName + " = " + e.getKey(), e.getValue(), c, logX, logY);
            if (dots != null) dots.setShowInLegend(i % every == 0 || e.getKey() == hi);
            i++;
        }
        Style.logAxes(chart);
        return chart;
    }

    /**
     * Labels only the integers of the x axis (seeds, indices), with ticks about one apart: an axis of integers shows no
     * 0.5 or 1.5.
     */
    public static XYChart integerX(XYChart chart) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : chart.getSeriesCollection()) {
            for (double v : s.getXData()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        // XChart spaces ticks at least this many points apart: about the width of one unit of a panel's plot area
        if (hi > lo) chart.getStyler().setXAxisTickMarkSpacingHint((int) Math.ceil(0.9 * (Style.WIDTH - 90) / Math.max(1, hi - lo)));
        chart.getStyler().setXAxisTickLabelsFormattingFunction(v -> v == Math.rint(v) ? Numbers.tick(v) : "");
        return chart;
    }

    /**
     * Puts the legend outside the plot, where it hides no data: in one row below it when its names fit the panel's width,
     * else in a column on its right. Call it once the series are added.
     */
    public static XYChart legendOutside(XYChart chart) {
        var s = chart.getStyler();
        java.awt.font.FontRenderContext frc = new java.awt.font.FontRenderContext(null, true, false);
        double width = s.getLegendPadding();
        for (XYSeries series : chart.getSeriesCollection()) {
            if (!series.isShowInLegend()) continue;
            width += new java.awt.font.TextLayout(series.getName(), s.getLegendFont(), frc).getBounds().getWidth()
                    + s.getLegendSeriesLineLength() + 2 * s.getLegendPadding();
        }
        if (width <= Style.WIDTH - 2 * s.getChartPadding()) s.setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        else s.setLegendPosition(Styler.LegendPosition.OutsideE).setLegendLayout(Styler.LegendLayout.Vertical);
        return chart;
    }

    /** A linear axis over the values and 5 % of their range beyond each end, so that no point sits on the plot's border. */
    private static void pad(XYChart chart, boolean x, double[] values) {
        if (values.length == 0) return;
        double lo = Arrays.stream(values).min().getAsDouble(), hi = Arrays.stream(values).max().getAsDouble();
        double margin = hi > lo ? 0.05 * (hi - lo) : Math.max(0.05 * Math.abs(lo), 1e-9);
        if (x) chart.getStyler().setXAxisMin(lo - margin).setXAxisMax(hi + margin);
        else chart.getStyler().setYAxisMin(lo - margin).setYAxisMax(hi + margin);
    }

    /** Diamonds for the plottable points, or null when none is. */
    private static XYSeries dots(XYChart chart, String name, List<Point> points, Color color, boolean logX, boolean logY) {
        double[][] xy = keep(points.stream().mapToDouble(Point::x).toArray(), points.stream().mapToDouble(Point::y).toArray(), logX, logY);
        if (xy[0].length == 0) return null;
        XYSeries dots = chart.addSeries(name, xy[0], xy[1]);
        dots.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        dots.setMarker(SeriesMarkers.DIAMOND);
        paint(dots, color);
        return dots;
    }

    private static void paint(XYSeries s, Color c) {
        s.setLineColor(c);
        s.setMarkerColor(c);
        s.setFillColor(c);
    }

    /** The finite points, and on a logarithmic axis only the positive ones: {xs, ys}. */
    private static double[][] keep(double[] x, double[] y, boolean logX, boolean logY) {
        int n = 0;
        double[] kx = new double[x.length], ky = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i]) || (logX && x[i] <= 0) || (logY && y[i] <= 0)) continue;
            kx[n] = x[i];
            ky[n++] = y[i];
        }
        return new double[][] {Arrays.copyOf(kx, n), Arrays.copyOf(ky, n)};
    }
}
