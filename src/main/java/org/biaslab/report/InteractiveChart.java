package org.biaslab.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.util.List;

/**
 * A chart of report.html that the reader can explore: hover a point to see its run, config and values, click it to
 * open the run's own report, toggle groups in the legend, zoom with the wheel or the slider. Drawn by ECharts
 * (inlined into the page by {@link HtmlReport#interactive}); the same colours as the static figures.
 *
 * @param groups one legend entry each: scatter points, or a line (e.g. the mean per x)
 */
public record InteractiveChart(String title, String xLabel, String yLabel, boolean logX, boolean logY, List<Group> groups) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A point: its coordinates, the text shown on hover (lines are kept), and the page a click opens (or null). */
    public record Mark(double x, double y, String tip, String href) {}

    /** A named group of marks drawn as points, or joined as a line. */
    public record Group(String name, List<Mark> marks, boolean line) {}

    /** The number of points drawn (finite, and positive on a log axis). */
    public int points() {
        int n = 0;
        for (Group g : groups) for (Mark m : g.marks()) if (shown(m)) n++;
        return n;
    }

    private boolean shown(Mark m) {
        return Double.isFinite(m.x()) && Double.isFinite(m.y()) && (!logX || m.x() > 0) && (!logY || m.y() > 0);
    }

    /** ECharts' option object; tooltips and clicks read each datum's {@code tip} and {@code href}. */
    String option() {
        ObjectNode o = JSON.createObjectNode();
        o.putObject("title").put("text", title).put("left", "center");
        o.putObject("tooltip").put("trigger", "item");
        ObjectNode legend = o.putObject("legend").put("bottom", 0);
        ArrayNode names = legend.putArray("data");
        o.putObject("grid").put("left", 70).put("right", 30).put("bottom", 90).put("containLabel", false);
        axis(o.putObject("xAxis"), xLabel, logX).put("nameGap", 28);
        axis(o.putObject("yAxis"), yLabel, logY).put("nameGap", 50);
        ArrayNode zoom = o.putArray("dataZoom");
        zoom.addObject().put("type", "inside").putArray("xAxisIndex").add(0);
        zoom.addObject().put("type", "slider").put("bottom", 30).put("height", 18).putArray("xAxisIndex").add(0);
        o.putObject("toolbox").putObject("feature").putObject("restore");
        ArrayNode series = o.putArray("series");
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            names.add(g.name());
            ObjectNode s = series.addObject().put("name", g.name()).put("type", g.line() ? "line" : "scatter")
                    .put("color", hex(Style.color(g.name(), i))).put("symbolSize", g.line() ? 7 : 9);
            ArrayNode data = s.putArray("data");
            for (Mark m : g.marks()) {
                if (!shown(m)) continue;
                ObjectNode d = data.addObject();
                d.putArray("value").add(m.x()).add(m.y());
                d.put("tip", m.tip());
                if (m.href() != null) d.put("href", m.href());
            }
        }
        return o.toString();
    }

    private static ObjectNode axis(ObjectNode a, String name, boolean log) {
        return a.put("type", log ? "log" : "value").put("name", name).put("nameLocation", "middle").put("scale", true);
    }

    private static String hex(Color c) {
        return String.format("#%06x", c.getRGB() & 0xffffff);
    }
}
