package org.biaslab.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * One self-contained HTML page: sections, paragraphs, figures (PNG embedded as data URIs), tables, preformatted text
 * and the list of what was excluded and why. It needs no network and no other file; every text is escaped.
 */
public final class HtmlReport {
    private static final String CSS = """
            body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#262626}
            h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
            figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
            figcaption{font-size:.9em;color:#555;margin-top:.3em}
            table{border-collapse:collapse;margin:1em 0;font-size:.9em}
            th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}
            td.num{text-align:right;font-variant-numeric:tabular-nums}
            pre{background:#f7f7f7;border:1px solid #ddd;padding:.8em;overflow-x:auto;font-size:.85em}
            """;
    /** ECharts, from its WebJar on the class path; inlined once into a page that has interactive charts. */
    private static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    /**
     * Draws every {@code div.chart} from the option in its {@code data-option}: tooltips show a point's {@code tip}
     * (escaped here, lines kept), else its series' name and its coordinates under the series' axis {@code labels}; a
     * click opens the point's {@code href}, else its series'.
     */
    private static final String DRAW = """
            document.querySelectorAll('div.chart').forEach(function (div) {
              var option = JSON.parse(div.dataset.option);
              var num = function (v) { return typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v); };
              option.tooltip.formatter = function (p) {
                var s = option.series[p.seriesIndex], text = p.data && p.data.tip;
                if (!text) text = p.seriesName + '\\n' + s.labels[0] + ' ' + num(p.value[0]) + '\\n' + s.labels[1] + ' ' + num(p.value[1]);
                var t = document.createElement('div');
                t.textContent = text;
                return t.innerHTML.replace(/\\n/g, '<br>');
              };
              var chart = echarts.init(div, null, {renderer: 'canvas'});
              chart.setOption(option);
              chart.on('click', function (p) {
                var href = (p.data && p.data.href) || option.series[p.seriesIndex].href;
                if (href) window.location.href = href;
              });
            });
            """;
    private final String title;
    private final StringBuilder body = new StringBuilder();
    private boolean interactive;

    public HtmlReport(String title) {
        this.title = title;
    }

    /** Starts a section with this heading. */
    public HtmlReport section(String heading) {
        body.append("<h2>").append(escape(heading)).append("</h2>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A PNG figure embedded in the page; {@code svgHref}, when not null, links the SVG file relative to the page. */
    public HtmlReport figure(byte[] png, String caption, String svgHref) {
        body.append("<figure><img alt=\"").append(escape(caption)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">\n<figcaption>").append(escape(caption));
        if (svgHref != null) body.append(" <a href=\"").append(escape(svgHref)).append("\">SVG</a>");
        body.append("</figcaption></figure>\n");
        return this;
    }

    /** An interactive chart (hover, legend toggles, zoom, click through to a run); needs no network either. */
    public HtmlReport interactive(InteractiveChart chart) {
        interactive = true;
        body.append("<div class=\"chart\" style=\"width:100%;height:").append(chart.height()).append("px\" data-points=\"").append(chart.points())
                .append("\" data-option=\"").append(escape(chart.option())).append("\"></div>\n");
        return this;
    }

    /** Appends the body of {@code other} (its sections, figures, tables and charts), e.g. parts written before the summary that leads the page. */
    public HtmlReport append(HtmlReport other) {
        interactive |= other.interactive;
        body.append(other.body);
        return this;
    }

    /** A table; cells that parse as numbers are right-aligned. */
    public HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<table>\n<tr>");
        for (String h : header) body.append("<th>").append(escape(h)).append("</th>");
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            for (String cell : row) {
                body.append(isNumber(cell) ? "<td class=\"num\">" : "<td>").append(escape(cell)).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** Text shown as is, e.g. a config as pretty JSON. */
    public HtmlReport preformatted(String text) {
        body.append("<pre>").append(escape(text)).append("</pre>\n");
        return this;
    }

    /** The section "What was excluded and why", one item per reason, or a line saying nothing was. */
    public HtmlReport exclusions(List<String> reasons) {
        section("What was excluded and why");
        if (reasons.isEmpty()) return paragraph("Nothing was excluded.");
        body.append("<ul>\n");
        for (String r : reasons) body.append("<li>").append(escape(r)).append("</li>\n");
        body.append("</ul>\n");
        return this;
    }

    public String html() {
        String scripts = interactive ? "<script>\n" + echarts() + "\n</script>\n<script>\n" + DRAW + "</script>\n" : "";
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
                + "</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body
                + scripts + "</body>\n</html>\n";
    }

    private static String echarts() {
        try (var in = HtmlReport.class.getResourceAsStream(ECHARTS)) {
            if (in == null) throw new IllegalStateException("ECharts is missing from the class path (" + ECHARTS + ")");
            // a "</script" inside the library would end the inline script early
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("</script", "<\\/script");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void write(Path file) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent()); // a report of no runs yet has no directory
        Files.writeString(file, html());
    }

    /** Text made safe for HTML content and attribute values. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
