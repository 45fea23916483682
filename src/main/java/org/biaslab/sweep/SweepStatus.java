package org.biaslab.sweep;

import java.io.IOException;
import java.nio.file.Files;

/**
 * How far a sweep is: runs done (done.json committed), failed (failed.json: diverged), running (in a group a live
 * worker holds) and to do.
 */
public record SweepStatus(int done, int failed, int running, int todo) {
    /** The file that commits a run's results. */
    public static final String DONE = "done.json";
    /** The file that says a run diverged and will not be retried. */
    public static final String FAILED = "failed.json";

    /** The status of {@code plan}'s directory now. */
    public static SweepStatus of(SweepPlan plan) throws IOException {
        int done = 0, failed = 0, running = 0, todo = 0;
        for (int g = 0; g < plan.groups().size(); g++) {
            boolean held = Claim.held(SweepWorker.claimFile(plan, g));
            for (String key : plan.groups().get(g)) {
                if (Files.exists(plan.runDir(key).resolve(DONE))) done++;
                else if (Files.exists(plan.runDir(key).resolve(FAILED))) failed++;
                else if (held) running++;
                else todo++;
            }
        }
        return new SweepStatus(done, failed, running, todo);
    }

    public int total() {
        return done + failed + running + todo;
    }

    /** Whether every run is done or failed. */
    public boolean settled() {
        return running == 0 && todo == 0;
    }

    /** E.g. "[#########-----------] 45/100 done, 0 failed, 8 running, 47 to do". */
    public String line() {
        int width = 20, filled = total() == 0 ? width : (int) ((long) width * (done + failed) / total());
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total() + " done, " + failed + " failed, "
                + running + " running, " + todo + " to do";
    }
}
