package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

class BarsAndHeatMapTest {
    @TempDir
    Path dir;

    @Test
    void histogramCountsEverySampleInsideTheEdgesOnce() {
        double[] edges = {1, 2, 4, 8};
        // 8 is the closed end of the last bin; 0.5 and 9 fall outside
        assertArrayEquals(new double[] {2, 1, 2}, Bars.counts(new double[] {1, 1.5, 2, 4, 8, 0.5, 9}, edges));
    }

    @Test
    void logEdgesAreGeometric() {
        double[] e = Bars.logEdges(1, 1000, 3);
        assertArrayEquals(new double[] {1, 10, 100, 1000}, e, 1e-9);
        assertThrows(IllegalArgumentException.class, () -> Bars.logEdges(0, 10, 2));
    }

    @Test
    void stackedSharesRenderAsValidFiles() throws Exception {
        Map<String, double[]> shares = new LinkedHashMap<>();
        shares.put("smoothing", new double[] {60, 20});
        shares.put("sharpening", new double[] {40, 80});
        CategoryChart chart = Bars.of("census", "layer", "% of heads", List.of("0", "1"), shares, true);
        assertEquals(2, chart.getSeriesCollection().size());
        Figure.of(chart).save(dir, "census");
        ValidFiles.png(dir.resolve("census.png"));
        ValidFiles.svg(dir.resolve("census.svg"));
    }

    @Test
    void aSeriesOfTheWrongLengthIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Bars.of("t", "x", "y", List.of("a", "b"), Map.of("s", new double[] {1}), false));
        assertEquals("bars: series 's' has 1 values for 2 categories", e.getMessage());
    }

    @Test
    void heatMapPutsEveryFiniteCellInTheClassOfItsSign() throws Exception {
        double[][] z = {{-1, 2, 0.5}, {3, Double.NaN, -4}};
        XYChart chart = HeatMap.of("Δ norm", "learning rate", "weight decay", new double[] {1e-3, 1e-2}, new double[] {1e-4, 1e-2, 1}, z, true, true);
        // bound 4, split at 2: {-4} below -2, {-1} in -2..0, {0.5, 2} in 0..2, {3} above 2; the NaN cell is left out
        assertEquals(List.of(1, 1, 2, 1), chart.getSeriesCollection().stream().map(s -> s.getXData().length).toList());
        Figure.grid(2, List.of(chart, chart)).save(dir, "grid");
        ValidFiles.png(dir.resolve("grid.png"));
        assertThrows(IllegalArgumentException.class, () -> HeatMap.of("t", "x", "y", new double[] {1}, new double[] {1}, z, false, false));
    }

    @Test
    void ticksKeepThreeDigitsAndTheirLeadingZero() {
        assertEquals("0.05", Numbers.tick(0.05));
        assertEquals("0.0584", Numbers.tick(0.058404660820961));
        assertEquals("12", Numbers.tick(12));
        assertEquals("1e-5", Numbers.tick(1e-5));
        assertEquals("2.5e-7", Numbers.tick(2.5e-7));
        assertEquals("0.3", Numbers.tick(0.1 + 0.2));
    }
}
