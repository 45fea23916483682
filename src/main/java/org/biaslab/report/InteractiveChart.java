package org.biaslab.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * A chart of report.html that the reader can explore: hover a point to see its run, config and values, click it to
 * open the run's own report, toggle groups in the legend, zoom with the wheel, the slider or a box. One or more
 * panels stacked on a shared x axis (as a figure's stacked panels); a group toggles in every panel at once. Drawn by
 * ECharts (inlined into the page by {@link HtmlReport#interactive}); the same colours as the static figures.
 *
 * @param panels top to bottom, at least one
 */
public record InteractiveChart(String title, String xLabel, boolean logX, List<Panel> panels) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Heights in pixels: the title above the panels, one panel (alone, or stacked), between panels, and below them. */
    private static final int TOP = 50, ALONE = 330, STACKED = 190, GAP = 45, BOTTOM = 100;

    public InteractiveChart {
        if (panels.isEmpty()) throw new IllegalArgumentException("interactive chart " + title + ": no panels");
        panels = List.copyOf(panels);
    }

    /** A chart of one panel. */
    public InteractiveChart(String title, String xLabel, String yLabel, boolean logX, boolean logY, List<Group> groups) {
        this(title, xLabel, logX, List.of(new Panel(yLabel, logY, groups)));
    }

    /**
     * A point: its coordinates, the text shown on hover (lines are kept; null: the group's name and the coordinates), and
     * the page a click opens (null: the group's).
     */
    public record Mark(double x, double y, String tip, String href) {
        /** A point whose hover text is its group's name and its coordinates. */
        public Mark(double x, double y) {
            this(x, y, null, null);
        }
    }

    /** How a group is drawn: points (circles or squares), a line through its marks, or a thin line (one of many runs). */
    public enum Draw { POINTS, SQUARES, LINE, THIN_LINE }

    /**
     * A named group of marks: one legend entry, shared by the groups of that name in every panel.
     *
     * @param href the page a click on any of its marks opens (e.g. the run's report), or null
     */
    public record Group(String name, List<Mark> marks, Draw draw, String href) {
        public Group(String name, List<Mark> marks, Draw draw) {
            this(name, marks, draw, null);
        }
    }

    /** One panel: its y axis and its groups. */
    public record Panel(String yLabel, boolean logY, List<Group> groups) {}

    /** The number of points drawn (finite, and positive on a log axis), over all panels. */
    public int points() {
        int n = 0;
        for (Panel p : panels) for (Group g : p.groups()) for (Mark m : g.marks()) if (shown(m, p)) n++;
        return n;
    }

    /** The chart's height in pixels. */
    public int height() {
        int k = panels.size();
        return TOP + (k == 1 ? ALONE : k * STACKED + (k - 1) * GAP) + BOTTOM;
    }

    private boolean shown(Mark m, Panel p) {
        return Double.isFinite(m.x()) && Double.isFinite(m.y()) && (!logX || m.x() > 0) && (!p.logY() || m.y() > 0);
    }

    /**
     * ECharts' option object. Tooltips and clicks read each datum's {@code tip} and {@code href}, else the series'
     * {@code href} and {@code labels} (its axes' names), which ECharts itself ignores.
     */
    String option() {
        ObjectNode o = JSON.createObjectNode();
        o.putObject("title").put("text", title).put("left", "center");
        o.putObject("tooltip").put("trigger", "item");
        ArrayNode names = o.putObject("legend").put("type", "scroll").put("bottom", 0).putArray("data");
        List<String> legend = new ArrayList<>();
        ArrayNode grids = o.putArray("grid"), xAxes = o.putArray("xAxis"), yAxes = o.putArray("yAxis"), series = o.putArray("series");
        ArrayNode zoomed = JSON.createArrayNode();
        int k = panels.size(), panelHeight = k == 1 ? ALONE : STACKED;
        for (int p = 0; p < k; p++) {
            Panel panel = panels.get(p);
            grids.addObject().put("left", 70).put("right", 30).put("top", TOP + p * (panelHeight + GAP)).put("height", panelHeight);
            axis(xAxes.addObject(), p == k - 1 ? xLabel : "", logX).put("gridIndex", p).put("nameGap", 28);
            axis(yAxes.addObject(), panel.yLabel(), panel.logY()).put("gridIndex", p).put("nameGap", 50);
            zoomed.add(p);
            for (Group g : panel.groups()) {
                if (!legend.contains(g.name())) {
                    legend.add(g.name());
                    names.add(g.name());
                }
                series.add(series(g, p, panel, Style.color(g.name(), legend.indexOf(g.name()))));
            }
        }
        ArrayNode zoom = o.putArray("dataZoom");
        zoom.addObject().put("type", "inside").set("xAxisIndex", zoomed);
        zoom.addObject().put("type", "slider").put("bottom", 32).put("height", 18).set("xAxisIndex", zoomed.deepCopy());
        ObjectNode tools = o.putObject("toolbox").putObject("feature");
        tools.putObject("dataZoom");
        tools.putObject("restore");
        return o.toString();
    }

    private ObjectNode series(Group g, int panelIndex, Panel panel, Color color) {
        boolean line = g.draw() == Draw.LINE || g.draw() == Draw.THIN_LINE;
        ObjectNode s = JSON.createObjectNode().put("name", g.name()).put("type", line ? "line" : "scatter").put("xAxisIndex", panelIndex)
                .put("yAxisIndex", panelIndex).put("color", hex(color))
                .put("symbol", g.draw() == Draw.SQUARES ? "rect" : "circle")
                .put("symbolSize", switch (g.draw()) { case POINTS, SQUARES -> 9; case LINE -> 6; case THIN_LINE -> 4; });
        if (line) s.putObject("lineStyle").put("width", g.draw() == Draw.LINE ? 2.5 : 1).put("opacity", g.draw() == Draw.LINE ? 1 : 0.7);
        if (g.href() != null) s.put("href", g.href());
        s.putArray("labels").add(xLabel).add(panel.yLabel());
        ArrayNode data = s.putArray("data");
        for (Mark m : g.marks()) {
            if (!shown(m, panel)) continue;
            if (m.tip() == null && m.href() == null) {
                data.addArray().add(m.x()).add(m.y());
                continue;
            }
            ObjectNode d = data.addObject();
            d.putArray("value").add(m.x()).add(m.y());
            if (m.tip() != null) d.put("tip", m.tip());
            if (m.href() != null) d.put("href", m.href());
        }
        return s;
    }

    private static ObjectNode axis(ObjectNode a, String name, boolean log) {
        return a.put("type", log ? "log" : "value").put("name", name).put("nameLocation", "middle").put("scale", true);
    }

    private static String hex(Color c) {
        return String.format("#%06x", c.getRGB() & 0xffffff);
    }
}
