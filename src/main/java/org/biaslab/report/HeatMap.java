package org.biaslab.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.style.Styler;

/**
 * A grid of values coloured on a diverging scale centred at zero (blue below, red above), e.g. the change of the
 * parameter norm over a learning-rate × weight-decay grid; cells are labelled by their axis values.
 */
public final class HeatMap {
    private static final Color[] DIVERGING = {new Color(0x2166ac), new Color(0x92c5de), new Color(0xf7f7f7), new Color(0xf4a582),
            new Color(0xb2182b)};

    private HeatMap() {}

    /** {@code z[i][j]} at x = xs[i], y = ys[j]; non-finite cells are drawn as 0. */
    public static HeatMapChart of(String title, String xLabel, String yLabel, double[] xs, double[] ys, double[][] z) {
        if (z.length != xs.length) throw new IllegalArgumentException("heat map: " + z.length + " columns for " + xs.length + " x values");
        HeatMapChart chart = Style.titled(new HeatMapChart(Style.WIDTH, Style.HEIGHT), title, xLabel, yLabel);
        List<String> xl = new ArrayList<>(), yl = new ArrayList<>();
        for (double x : xs) xl.add(Numbers.tick(x));
        for (double y : ys) yl.add(Numbers.tick(y));
        double bound = 0;
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            if (z[i].length != ys.length) throw new IllegalArgumentException("heat map: column " + i + " has " + z[i].length + " values for " + ys.length + " y values");
            for (int j = 0; j < ys.length; j++) {
                double v = Double.isFinite(z[i][j]) ? z[i][j] : 0;
                bound = Math.max(bound, Math.abs(v));
                cells.add(new Number[] {i, j, v});
            }
        }
        if (bound == 0) bound = 1;
        chart.getStyler().setRangeColors(DIVERGING).setMin(-bound).setMax(bound);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(xs.length > 8 ? 45 : 0);
        chart.getStyler().setHeatMapDecimalValueFormatter(Numbers::tick);
        chart.addSeries(title, xl, yl, cells);
        return chart;
    }
}
