package org.knowm.xchart.internal.chartpart;

import java.awt.font.FontRenderContext;
import java.awt.font.TextLayout;
import java.awt.geom.Rectangle2D;
import java.util.LinkedHashMap;
import java.util.Map;
import org.knowm.xchart.internal.series.MarkerSeries;
import org.knowm.xchart.style.Styler;

/**
 * biaslab's chart legend: XChart's, with every label laid out as tall as the font's capital letters, so that the labels
 * of a row share one baseline and each is centred on its marker. XChart sizes a label by its own glyphs, so "first"
 * sat higher than "majority" (which has descenders) in a horizontal legend. XChart keeps the legend in a field of its
 * own package and sizes labels in a package-private method, hence this class in XChart's package.
 */
public final class BaselineLegend<ST extends Styler, S extends MarkerSeries> extends Legend_Marker<ST, S> {
    private BaselineLegend(Chart<ST, S> chart) {
        super(chart);
    }

    /** Replaces the legend of {@code chart} (an XY or category chart) with this one. */
    public static <ST extends Styler, S extends MarkerSeries> void install(Chart<ST, S> chart) {
        chart.legend = new BaselineLegend<>(chart);
    }

    @Override
    Map<String, Rectangle2D> getSeriesTextBounds(S series) {
        double cap = new TextLayout("H", chart.getStyler().getLegendFont(), new FontRenderContext(null, true, false))
                .getOutline(null).getBounds2D().getHeight();
        Map<String, Rectangle2D> out = new LinkedHashMap<>();
        super.getSeriesTextBounds(series).forEach((line, b) -> out.put(line, new Rectangle2D.Double(b.getX(), -cap, b.getWidth(), cap)));
        return out;
    }
}
