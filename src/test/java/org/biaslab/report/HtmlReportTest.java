package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void sectionsTablesAndExclusionsAreEscapedAndSelfContained() {
        byte[] png = Figure.of(Charts.lines("t", "step", "y", List.of(new Charts.Series("a", new double[] {0, 1}, new double[] {1, 2})), false)).png();
        String html = new HtmlReport("Title <b>& co")
                .section("Results <1>")
                .paragraph("x < y & \"z\"")
                .figure(png, "Caption <i>", "plots/a.svg")
                .table(List.of("task", "slope"), List.of(List.of("<script>", "1.5")))
                .preformatted("{\"a\": \"<tag>\"}")
                .exclusions(List.of("run <r1> diverged"))
                .html();
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<h1>Title &lt;b&gt;&amp; co</h1>"));
        assertTrue(html.contains("<h2>Results &lt;1&gt;</h2>"));
        assertTrue(html.contains("<p>x &lt; y &amp; &quot;z&quot;</p>"));
        assertTrue(html.contains("<td>&lt;script&gt;</td><td class=\"num\">1.5</td>"));
        assertTrue(html.contains("<pre>{&quot;a&quot;: &quot;&lt;tag&gt;&quot;}</pre>"));
        assertTrue(html.contains("<h2>What was excluded and why</h2>\n<ul>\n<li>run &lt;r1&gt; diverged</li>"));
        assertFalse(html.contains("<script>") || html.contains("<tag>") || html.contains("<i>"));
        assertFalse(html.contains("http://") || html.contains("https://"), "the page must need no network");

        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        assertTrue(m.find(), "the figure is embedded as a data URI");
        byte[] embedded = Base64.getDecoder().decode(m.group(1));
        for (int i = 0; i < PNG_MAGIC.length; i++) assertTrue(embedded[i] == PNG_MAGIC[i], "embedded bytes are a PNG");
        assertTrue(html.endsWith("</html>\n"));
    }

    @Test
    void emptyExclusionsSayNothingWasExcluded() {
        String html = new HtmlReport("r").exclusions(List.of()).html();
        assertTrue(html.contains("<h2>What was excluded and why</h2>\n<p>Nothing was excluded.</p>"));
    }
}
