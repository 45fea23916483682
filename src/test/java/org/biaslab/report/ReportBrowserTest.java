package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * report.html in a real browser: headless Chromium driven by Selenium. Skips where Debian's {@code chromium} and
 * {@code chromium-driver} are not installed (docs/report.md).
 */
class ReportBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path tmp;

    @Test
    void sweepReportLoadsOfflineWithoutErrorsAndItsChartsHaveAPointPerRun() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "no browser: install Debian's chromium and chromium-driver to run the browser tests");
        int runs = 0;
        for (int n : new int[] {4, 8}) {
            for (int seed = 0; seed < 3; seed++, runs += 2) {
                SyntheticRuns.run(tmp, "parity", n, seed, 1e-4, Map.of("measure/sharpness_x4", 0.1 * n + seed,
                        "measure/blowup_encoder_maxs_prod", 2.0 + n, "measure/param_norm", 40.0 + seed));
                SyntheticRuns.run(tmp, "majority", n, seed, 1e-4, Map.of("measure/sharpness_x4", 0.2,
                        "measure/blowup_encoder_maxs_prod", 3.0, "measure/param_norm", 30.0 + seed));
            }
        }
        Path report = SweepReport.write(tmp, SweepReport.runDirs(tmp), "E1", List.of());

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .withLogOutput(java.io.OutputStream.nullOutputStream()).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(report.toUri().toString());
            JavascriptExecutor js = driver;
            new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> (Boolean) js.executeScript(
                    "return typeof echarts !== 'undefined' && [...document.querySelectorAll('div.chart')]"
                            + ".every(c => echarts.getInstanceByDom(c) !== undefined)"));

            List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertEquals(List.of(), errors, "console errors");
            Object requests = js.executeScript("return performance.getEntriesByType('resource').map(e => e.name)"
                    + ".filter(n => !n.startsWith('data:'))");
            assertEquals(List.of(), requests, "the page loads nothing from the network or the disk");

            @SuppressWarnings("unchecked")
            List<Long> points = (List<Long>) js.executeScript("return [...document.querySelectorAll('div.chart')].map(c =>"
                    + " echarts.getInstanceByDom(c).getOption().series.reduce((n, s) => n + s.data.length, 0))");
            assertEquals(3, points.size(), "an interactive chart per quantity");
            for (long p : points) assertEquals(runs, p, "a point per run");

            // a legend toggle hides its series
            Object selected = js.executeScript("var c = echarts.getInstanceByDom(document.querySelector('div.chart'));"
                    + "c.dispatchAction({type: 'legendToggleSelect', name: 'parity'});"
                    + "return c.getOption().legend[0].selected['parity'];");
            assertFalse((Boolean) selected, "parity is hidden after its legend entry is toggled");

            // hovering a point shows its run; clicking it would open the run's report, which exists
            String tip = (String) js.executeScript("var c = echarts.getInstanceByDom(document.querySelectorAll('div.chart')[1]);"
                    + "c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});"
                    + "var d = c.getOption().series[0].data[0]; return d.tip + '|' + d.href;");
            String[] parts = tip.split("\\|");
            assertTrue(parts[0].startsWith("majority-n4-s0"), parts[0]);
            assertTrue(Files.isRegularFile(tmp.resolve(parts[1])), parts[1] + " exists");
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> (Boolean) js.executeScript(
                    "return [...document.querySelectorAll('div')].some(e => e.innerText && e.innerText.startsWith('majority-n4-s0'))"));
        } finally {
            driver.quit();
        }
    }
}
