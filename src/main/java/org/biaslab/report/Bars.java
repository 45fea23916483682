package org.biaslab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.internal.chartpart.BaselineLegend;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * Bar charts: values by category for several series, side by side or stacked (e.g. the share of heads per class in
 * each layer), and histograms of samples over given bin edges (e.g. positions attended per head).
 */
public final class Bars {
    private Bars() {}

    /** One bar per category and series; {@code stacked} piles the series up (shares that sum to 100 %). */
    public static CategoryChart of(String title, String xLabel, String yLabel, List<String> categories,
                                   Map<String, double[]> series, boolean stacked) {
        CategoryChart chart = Style.titled(new CategoryChart(Style.WIDTH, Style.HEIGHT), title, xLabel, yLabel);
        BaselineLegend.install(chart);
        chart.getStyler().setStacked(stacked);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setXAxisLabelRotation(categories.size() > 8 ? 45 : 0);
        for (var e : series.entrySet()) {
            if (e.getValue().length != categories.size()) {
                throw new IllegalArgumentException("bars: series '" + e.getKey() + "' has " + e.getValue().length + " values for "
                        + categories.size() + " categories");
            }
            List<Double> ys = new ArrayList<>();
            for (double v : e.getValue()) ys.add(Double.isFinite(v) ? v : 0);
            chart.addSeries(e.getKey(), categories, ys).setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
        }
        return chart;
    }

    /**
     * Counts of each group's samples in the bins [edges[i], edges[i+1]) (the last bin closed), bars side by side,
     * labelled by their bin; samples outside the edges are left out.
     */
    public static CategoryChart histogram(String title, String xLabel, Map<String, double[]> samples, double[] edges) {
        if (edges.length < 2) throw new IllegalArgumentException("histogram: at least two bin edges are needed");
        List<String> bins = new ArrayList<>();
        for (int i = 0; i + 1 < edges.length; i++) bins.add(Numbers.tick(edges[i]) + "–" + Numbers.tick(edges[i + 1]));
        Map<String, double[]> counts = new java.util.LinkedHashMap<>();
        samples.forEach((name, values) -> counts.put(name, counts(values, edges)));
        return of(title, xLabel, "count", bins, counts, false);
    }

    /** How many values fall in each bin of {@code edges}. */
    static double[] counts(double[] values, double[] edges) {
        double[] c = new double[edges.length - 1];
        for (double v : values) {
            for (int i = 0; i + 1 < edges.length; i++) {
                boolean last = i + 2 == edges.length;
                if (v >= edges[i] && (v < edges[i + 1] || (last && v == edges[i + 1]))) {
                    c[i]++;
                    break;
                }
            }
        }
        return c;
    }

    /** Bin edges spaced evenly on a log scale from lo to hi (both > 0), {@code bins} bins. */
    public static double[] logEdges(double lo, double hi, int bins) {
        if (!(lo > 0 && hi > lo && bins >= 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "log bins need 0 < lo < hi and bins >= 1, got %g, %g, %d", lo, hi, bins));
        }
        double[] e = new double[bins + 1];
        for (int i = 0; i <= bins; i++) e[i] = lo * Math.pow(hi / lo, i / (double) bins);
        return e;
    }
}
