package org.biaslab.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A grid of values as coloured squares on a diverging scale centred at zero: two blues below, two reds above, split
 * at half the largest magnitude (e.g. the change of the parameter norm over a learning-rate × weight-decay grid).
 * Drawn on an XY chart, so both axes may be logarithmic.
 */
public final class HeatMap {
    private static final Color[] SCALE = {new Color(0x2166ac), new Color(0x92c5de), new Color(0xf4a582), new Color(0xb2182b)};

    /** The largest square, in points. */
    private static final int MAX_MARKER = 26;

    private HeatMap() {}

    /** {@code z[i][j]} at x = xs[i], y = ys[j]; non-finite cells are left empty. */
    public static XYChart of(String title, String xLabel, String yLabel, double[] xs, double[] ys, double[][] z, boolean logX, boolean logY) {
        if (z.length != xs.length) throw new IllegalArgumentException("heat map: " + z.length + " columns for " + xs.length + " x values");
        double bound = 0;
        for (int i = 0; i < xs.length; i++) {
            if (z[i].length != ys.length) {
                throw new IllegalArgumentException("heat map: column " + i + " has " + z[i].length + " values for " + ys.length + " y values");
            }
            for (double v : z[i]) if (Double.isFinite(v)) bound = Math.max(bound, Math.abs(v));
        }
        String half = Numbers.tick(bound / 2);
        String[] names = {"below −" + half, "−" + half + " to 0", "0 to " + half, "above " + half};
        Map<Integer, List<double[]>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < xs.length; i++) {
            for (int j = 0; j < ys.length; j++) {
                double v = z[i][j];
                if (!Double.isFinite(v)) continue;
                int k = v < -bound / 2 ? 0 : v < 0 ? 1 : v <= bound / 2 ? 2 : 3;
                byClass.computeIfAbsent(k, c -> new ArrayList<>()).add(new double[] {xs[i], ys[j]});
            }
        }
        XYChart chart = Style.chart(title, xLabel, yLabel);
        chart.getStyler().setXAxisLogarithmic(logX).setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setPlotGridLinesVisible(false); // the squares are the grid; a log axis would add a line at every 2…9
        // squares about as wide as a grid cell of the plot area (the panel less title, axes and the legend below), at most
        // MAX_MARKER points: the legend draws its squares as large, and larger ones cover their labels
        double plotWidth = Style.WIDTH - 90, plotHeight = Style.HEIGHT - 150;
        chart.getStyler().setMarkerSize(Math.max(4, Math.min(MAX_MARKER, (int) (0.8 * Math.min(plotWidth / xs.length, plotHeight / ys.length)))));
        for (int k = 0; k < SCALE.length; k++) {
            List<double[]> cells = byClass.get(k);
            if (cells == null) continue;
            XYSeries s = chart.addSeries(names[k], cells.stream().mapToDouble(c -> c[0]).toArray(), cells.stream().mapToDouble(c -> c[1]).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(SCALE[k]);
        }
        return chart;
    }
}
