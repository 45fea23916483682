package org.biaslab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.BaselineLegend;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.internal.chartpart.AxesChart;
import org.knowm.xchart.style.AxesChartStyler;

/**
 * The figures' style: P1's (docs/papers.md §P1.10) seaborn "whitegrid" look and 3.5 × 2.625 in panels, with a
 * colour-blind-safe palette in place of P1's Dark2 and one colour per function or model variant across all reports.
 */
final class Style {
    /**
     * Okabe and Ito's colour-blind-safe palette (black left out: it is the text colour), in the order groups without a
     * fixed colour take them.
     */
    static final Color[] OKABE_ITO = {new Color(0xD55E00), new Color(0x0072B2), new Color(0x009E73), new Color(0xE69F00),
            new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x999999)};
    /**
     * One colour per named group in every figure of every report: P1's functions, and the variants of P2's models.
     * Names are matched case-insensitively up to their first space or parenthesis ("parity (runs)" is parity).
     */
    private static final java.util.Map<String, Color> FIXED = java.util.Map.of(
            "parity", OKABE_ITO[0], "majority", OKABE_ITO[1], "first", OKABE_ITO[2], "mean", OKABE_ITO[3],
            "baseline", OKABE_ITO[1], "+", OKABE_ITO[0], "−", OKABE_ITO[2], "smooth", OKABE_ITO[0], "sharpen", OKABE_ITO[2]);
    /** A panel's size in points: 3.5 × 2.625 in at 160 per inch, so that XChart's text stays legible. */
    static final int WIDTH = 560, HEIGHT = 420;
    private static final Color GRID = new Color(0xcccccc), TEXT = new Color(0x262626);

    private Style() {}

    /** The i-th colour of the palette. */
    static Color color(int i) {
        return OKABE_ITO[Math.floorMod(i, OKABE_ITO.length)];
    }

    /** The fixed colour of a named group (see {@link #FIXED}), else the i-th colour of the palette. */
    static Color color(String group, int i) {
        String key = group.strip().toLowerCase(java.util.Locale.ROOT).split("[ (]", 2)[0];
        return FIXED.getOrDefault(key, color(i));
    }

    static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** Below this factor between its largest and smallest value a log axis is drawn linear: it would label no tick inside. */
    static final double LINEAR_BELOW = 3;
    /** From this factor on a log axis draws no grid lines, only its labelled ticks. */
    static final double MANY_DECADES = 1e4;

    /** Gives each logarithmic axis of {@code chart} readable ticks (see {@link #logAxis}) for the values of its series. */
    static void logAxes(XYChart chart) {
        for (boolean x : new boolean[] {true, false}) {
            if (!(x ? chart.getStyler().isXAxisLogarithmic() : chart.getStyler().isYAxisLogarithmic())) continue;
            double lo = Double.POSITIVE_INFINITY, hi = 0;
            for (var series : chart.getSeriesCollection()) {
                for (double v : x ? series.getXData() : series.getYData()) {
                    if (Double.isFinite(v) && v > 0) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            logAxis(chart, x, lo, hi);
        }
    }

    /**
     * A logarithmic axis over the positive values [lo, hi] that labels enough ticks, each where it does not collide with
     * the next: powers of ten from two decades up, 1, 2, 5 times them from one decade, 1, 2, 3, 5, 7 times them below;
     * its ends stretched to the labelled ticks around lo and hi, so that no end of the axis is left unlabelled; from
     * {@link #MANY_DECADES} on without grid lines. Under a factor of {@link #LINEAR_BELOW} the axis is linear. Without a
     * positive value it is left as it is.
     */
    static void logAxis(XYChart chart, boolean x, double lo, double hi) {
        if (!(lo > 0) || !(hi >= lo) || Double.isInfinite(hi)) return;
        XYStyler s = chart.getStyler();
        if (hi < LINEAR_BELOW * lo) {
            if (x) s.setXAxisLogarithmic(false);
            else s.setYAxisLogarithmic(false);
            return;
        }
        double[] mantissas = hi >= 100 * lo ? new double[] {1} : hi >= 10 * lo ? new double[] {1, 2, 5} : new double[] {1, 2, 3, 5, 7};
        double min = tick(lo, mantissas, false), max = tick(hi, mantissas, true);
        java.util.function.Function<Double, String> label = v -> labelled(v, mantissas) ? Numbers.tick(v) : "";
        // XChart draws a grid line at every 1…9 times a power of ten: over many decades they merge into grey bands
        boolean grid = hi < MANY_DECADES * lo;
        if (x) {
            s.setXAxisLogarithmicDecadeOnly(false).setXAxisMin(min).setXAxisMax(max);
            s.setXAxisTickLabelsFormattingFunction(label);
            s.setPlotGridVerticalLinesVisible(grid);
        } else {
            s.setYAxisLogarithmicDecadeOnly(false).setYAxisMin(min).setYAxisMax(max);
            s.setYAxisTickLabelsFormattingFunction(label);
            s.setPlotGridHorizontalLinesVisible(grid);
        }
    }

    /** The largest labelled tick (mantissa × power of ten) at most v, or with {@code up} the smallest at least v. */
    static double tick(double v, double[] mantissas, boolean up) {
        int decade = (int) Math.floor(Math.log10(v));
        double best = up ? Double.POSITIVE_INFINITY : 0;
        for (int d = decade - 1; d <= decade + 1; d++) {
            for (double m : mantissas) {
                double t = m * Math.pow(10, d);
                if (up ? t >= v * (1 - 1e-12) && t < best : t <= v * (1 + 1e-12) && t > best) best = t;
            }
        }
        return best;
    }

    /** Whether v is one of the mantissas times a power of ten (up to rounding). */
    static boolean labelled(double v, double[] mantissas) {
        if (!(v > 0)) return false;
        double m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
        for (double want : mantissas) if (Math.abs(m - want) < 1e-6 * want) return true;
        return false;
    }

    /** A chart of one panel's size with the whitegrid look, titles and axis labels. */
    static XYChart chart(String title, String xLabel, String yLabel) {
        XYChart chart = titled(new XYChart(WIDTH, HEIGHT), title, xLabel, yLabel);
        BaselineLegend.install(chart); // the labels of a legend row on one baseline
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisTickLabelsFormattingFunction(Numbers::tick);
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
        // every text in the bundled font: no chart depends on the machine's fonts
        s.setBaseFont(Fonts.sans(12));
        s.setChartTitleFont(Fonts.sans(16));
        s.setAxisTitleFont(Fonts.sans(14));
        s.setAxisTickLabelsFont(Fonts.sans(12));
        s.setLegendFont(Fonts.sans(12));
        s.setAnnotationTextFont(Fonts.sans(12));
        s.setAnnotationTextPanelFont(Fonts.sans(12));
        s.setToolTipFont(Fonts.sans(12));
        s.setLegendBorderColor(GRID);
        s.setLegendBackgroundColor(withAlpha(Color.WHITE, 220));
        s.setSeriesColors(OKABE_ITO);
        s.setMarkerSize(7);
        s.setChartPadding(8);
        s.setYAxisTickLabelsFormattingFunction(Numbers::tick); // one formatter: 0.05 not .05, 3 digits at most
        return chart;
    }
}
