import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Runs the named test classes (or Class#method) on a machine without Maven, such as the GPU machine: one line per test,
 * JUnit's summary, exit code 1 when one failed. Built and shipped by scripts/gpu/pack.sh.
 */
public class RunTests {
    public static void main(String[] a) {
        List<DiscoverySelector> sel = new ArrayList<>();
        for (String s : a) sel.add(s.contains("#") ? selectMethod(s) : selectClass(s));
        var req = LauncherDiscoveryRequestBuilder.request().selectors(sel).build();
        var sum = new SummaryGeneratingListener();
        var l = LauncherFactory.create();
        l.execute(req, sum, new TestExecutionListener() {
            public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                if (id.isTest()) System.out.println(r.getStatus() + " " + id.getDisplayName() + r.getThrowable().map(t -> " " + t).orElse(""));
            }
            public void executionSkipped(TestIdentifier id, String why) { System.out.println("SKIPPED " + id.getDisplayName() + " " + why); }
        });
        sum.getSummary().printTo(new PrintWriter(System.out));
        System.exit(sum.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
    }
}
