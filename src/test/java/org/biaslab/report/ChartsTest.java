package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.report.Charts.Point;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

class ChartsTest {
    private static Map<String, List<Point>> groups(String... names) {
        Map<String, List<Point>> g = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) g.put(names[i], List.of(new Point(i, i + 1), new Point(i + 0.5, i + 2)));
        return g;
    }

    @Test
    void aScatterLegendGoesBelowWhenItsNamesFitTheWidthAndBesideWhenNot() {
        // E5's four groups once ran off both sides of a legend drawn below the plot
        XYChart wide = Charts.scatter("t", "x", "y", groups("Train size: 128 samples", "Train size: 256 samples",
                "Train size: 512 samples", "Random function"), false, false);
        assertEquals(Styler.LegendPosition.OutsideE, wide.getStyler().getLegendPosition());
        assertEquals(Styler.LegendLayout.Vertical, wide.getStyler().getLegendLayout());
        XYChart narrow = Charts.scatter("t", "x", "y", groups("a", "b"), false, false);
        assertEquals(Styler.LegendPosition.OutsideS, narrow.getStyler().getLegendPosition());
        assertEquals(Styler.LegendLayout.Horizontal, narrow.getStyler().getLegendLayout());
    }

    @Test
    void theMeanAndSpreadLegendNamesTheGroupsBelowThePlot() {
        XYChart chart = Charts.meanAndSpread("t", "n", "y", groups("first", "majority", "mean"), false);
        assertEquals(Styler.LegendPosition.OutsideS, chart.getStyler().getLegendPosition());
    }
}
