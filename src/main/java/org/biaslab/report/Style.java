package org.biaslab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.internal.chartpart.AxesChart;
import org.knowm.xchart.style.AxesChartStyler;

/** P1's figure style (docs/papers.md §P1.10): seaborn's "whitegrid", the Dark2 palette, 3.5 × 2.625 in panels. */
final class Style {
    /** matplotlib's Dark2 colours, in order. */
    static final Color[] DARK2 = {new Color(0x1b9e77), new Color(0xd95f02), new Color(0x7570b3), new Color(0xe7298a),
            new Color(0x66a61e), new Color(0xe6ab02), new Color(0xa6761d), new Color(0x666666)};
    /** A panel's size in points: 3.5 × 2.625 in at 160 per inch, so that XChart's text stays legible. */
    static final int WIDTH = 560, HEIGHT = 420;
    private static final Color GRID = new Color(0xcccccc), TEXT = new Color(0x262626);

    private Style() {}

    static Color color(int i) {
        return DARK2[Math.floorMod(i, DARK2.length)];
    }

    static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** A chart of one panel's size with the whitegrid look, titles and axis labels. */
    static XYChart chart(String title, String xLabel, String yLabel) {
        XYChart chart = titled(new XYChart(WIDTH, HEIGHT), title, xLabel, yLabel);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        return chart;
    }

    /** The whitegrid look, titles and axis labels on any axes chart (XY, bars, heat map); the caller places the legend. */
    static <C extends AxesChart<? extends AxesChartStyler, ?>> C titled(C chart, String title, String xLabel, String yLabel) {
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        AxesChartStyler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(GRID);
        s.setPlotGridLinesColor(GRID);
        s.setPlotGridLinesStroke(new BasicStroke(0.8f));
        s.setAxisTicksMarksVisible(false);
        s.setAxisTicksLineVisible(false);
        s.setChartFontColor(TEXT);
        s.setAxisTickLabelsColor(TEXT);
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendBorderColor(GRID);
        s.setLegendBackgroundColor(withAlpha(Color.WHITE, 220));
        s.setSeriesColors(DARK2);
        s.setMarkerSize(7);
        s.setChartPadding(8);
        return chart;
    }
}
