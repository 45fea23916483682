package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * report.html pages in a real browser: headless Chromium driven by Selenium, one browser for the whole test JVM.
 * Tests that use it skip where Debian's {@code chromium} and {@code chromium-driver} are not installed (docs/report.md).
 */
public final class Browser {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    private static ChromeDriver driver;

    private Browser() {}

    /** An interactive chart as the browser drew it. */
    public record Chart(String title, long points, long declared, List<String> legend, List<String> series) {}

    /** Whether Debian's chromium and chromium-driver are installed. */
    public static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    }

    /** Skips the calling test where no browser is installed. */
    public static void assumeInstalled() {
        assumeTrue(installed(), "no browser: install Debian's chromium and chromium-driver to run the browser tests");
    }

    private static synchronized ChromeDriver driver() {
        if (driver == null) {
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage");
            options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                    .withLogOutput(java.io.OutputStream.nullOutputStream()).build();
            driver = new ChromeDriver(service, options);
            ChromeDriver started = driver;
            Runtime.getRuntime().addShutdownHook(new Thread(started::quit));
        }
        return driver;
    }

    /**
     * Opens {@code page}, waits until every chart is drawn, checks that it logged no console error and requested
     * nothing (the page is one offline file), and returns its charts in page order.
     */
    public static List<Chart> open(Path page) {
        assumeInstalled();
        ChromeDriver d = driver();
        d.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
        d.get(page.toUri().toString());
        new WebDriverWait(d, Duration.ofSeconds(30)).until(x -> (Boolean) js("return typeof echarts !== 'undefined' && "
                + "[...document.querySelectorAll('div.chart')].every(c => echarts.getInstanceByDom(c) !== undefined)"));
        List<String> errors = d.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(Object::toString).toList();
        assertEquals(List.of(), errors, page + ": console errors");
        assertEquals(List.of(), js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:'))"),
                page + ": the page loads nothing from the network or the disk");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> charts = (List<Map<String, Object>>) js("return [...document.querySelectorAll('div.chart')].map(div => {"
                + " var c = echarts.getInstanceByDom(div), o = c.getOption();"
                + " return {title: o.title[0].text, points: o.series.reduce((n, s) => n + s.data.length, 0),"
                + " declared: Number(div.dataset.points), legend: o.legend[0].data.map(l => typeof l === 'string' ? l : l.name),"
                + " series: o.series.map(s => s.name)}; })");
        return charts.stream().map(c -> new Chart((String) c.get("title"), (Long) c.get("points"), (Long) c.get("declared"),
                strings(c.get("legend")), strings(c.get("series")))).toList();
    }

    /** Toggles the legend entry {@code name} of the {@code chart}-th chart; returns the names of the series then shown. */
    public static List<String> toggle(int chart, String name) {
        return strings(js("var c = echarts.getInstanceByDom(document.querySelectorAll('div.chart')[arguments[0]]);"
                + "c.dispatchAction({type: 'legendToggleSelect', name: arguments[1]});"
                + "var shown = []; c.getModel().eachSeries(s => shown.push(s.name)); return shown;", chart, name));
    }

    /** The names of the series the {@code chart}-th chart shows. */
    public static List<String> shown(int chart) {
        return strings(js("var c = echarts.getInstanceByDom(document.querySelectorAll('div.chart')[arguments[0]]);"
                + "var shown = []; c.getModel().eachSeries(s => shown.push(s.name)); return shown;", chart));
    }

    /**
     * Hovers the {@code index}-th point of the {@code series}-th series of the {@code chart}-th chart; returns the text
     * of the tooltip shown and the page a click on it opens (null when none).
     */
    public static List<String> hover(int chart, int series, int index) {
        js("var c = echarts.getInstanceByDom(document.querySelectorAll('div.chart')[arguments[0]]);"
                + "c.dispatchAction({type: 'showTip', seriesIndex: arguments[1], dataIndex: arguments[2]});", chart, series, index);
        String tip = new WebDriverWait(driver, Duration.ofSeconds(5)).until(x -> (String) js(
                "var t = [...document.querySelectorAll('div.chart')][arguments[0]].querySelectorAll('div');"
                        + "var shown = [...t].filter(e => e.style.display !== 'none' && e.innerText && e.style.position === 'absolute');"
                        + "return shown.length ? shown[shown.length - 1].innerText : null;", chart));
        String href = (String) js("var o = JSON.parse(document.querySelectorAll('div.chart')[arguments[0]].dataset.option);"
                + "var s = o.series[arguments[1]], d = s.data[arguments[2]]; return (d && d.href) || s.href || null;", chart, series, index);
        return java.util.Arrays.asList(tip, href);
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        return (List<String>) list;
    }
}
