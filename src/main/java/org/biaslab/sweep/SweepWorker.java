package org.biaslab.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.experiment.p1.RunMeasurements;
import org.biaslab.io.Json;
import org.biaslab.train.Diverged;
import org.biaslab.train.RunDir;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * Trains the groups of a sweep that no other worker holds: claims a group ({@link Claim}), trains its runs that are
 * not done (finished runs are skipped, interrupted ones resume from their checkpoints), measures them when the
 * sweep asks, and commits each run's {@code done.json} atomically. A run that diverges, alone, gets
 * {@code failed.json} instead and is not retried (delete that file to retry). Trains on {@link RunQueue#device()}.
 */
public final class SweepWorker {
    /** Where a worker says what it does, one line at a time. */
    public interface Log {
        void line(String line);

        /** The progress listener of a group's training, or null. */
        default Trainer.Listener training(List<Trainer.Run> runs, long from) {
            return null;
        }
    }

    /** Keys of a run's summary that depend on how it was trained (ensemble, sessions), not on what it learned. */
    private static final List<String> SESSION_KEYS = List.of("wall_seconds_this_session", "ensemble_members");
    private final SweepPlan plan;
    private final Duration lease;
    private final Log log;

    public SweepWorker(SweepPlan plan, Duration lease, Log log) {
        this.plan = plan;
        this.lease = lease;
        this.log = log;
    }

    /** The claim file of group {@code g}. */
    static Path claimFile(SweepPlan plan, int g) {
        return plan.dir().resolve("claims").resolve("group-" + g + ".json");
    }

    /** Whether run {@code key} has its outcome committed: done.json or failed.json. */
    static boolean settled(SweepPlan plan, String key) {
        Path d = plan.runDir(key);
        return Files.exists(d.resolve(SweepStatus.DONE)) || Files.exists(d.resolve(SweepStatus.FAILED));
    }

    private boolean settled(int g) {
        return plan.groups().get(g).stream().allMatch(k -> settled(plan, k));
    }

    /**
     * Works through group {@code g} (a Slurm array task's own group), waiting while another live worker holds it;
     * returns once every run of it is settled.
     */
    public void runGroup(int g) throws IOException, InterruptedException {
        if (g < 0 || g >= plan.groups().size()) throw new IllegalArgumentException("group index " + g + " is not in 0.." + (plan.groups().size() - 1));
        while (!settled(g)) {
            if (!tryGroup(g)) Thread.sleep(pollMillis());
        }
    }

    /** Works through every group no live worker holds, then waits for the others until every run is settled. */
    public void runAll() throws IOException, InterruptedException {
        while (true) {
            boolean open = false, worked = false;
            for (int g = 0; g < plan.groups().size(); g++) {
                if (settled(g)) continue;
                open = true;
                worked |= tryGroup(g);
            }
            if (!open) return;
            if (!worked) Thread.sleep(pollMillis());
        }
    }

    private long pollMillis() {
        return Math.max(100, Math.min(5_000, lease.toMillis() / 4));
    }

    /** Claims group {@code g} and settles its runs; false when another live worker holds it. */
    private boolean tryGroup(int g) throws IOException {
        try (Claim claim = Claim.acquire(claimFile(plan, g), lease)) {
            if (claim == null) return false;
            List<Trainer.Run> open = new ArrayList<>();
            for (String key : plan.groups().get(g)) {
                if (settled(plan, key)) continue;
                RunDir dir = new RunDir(plan.runDir(key));
                dir.init(plan.runs().get(key));
                open.add(new Trainer.Run(plan.runs().get(key), dir));
            }
            if (open.isEmpty()) return true;
            log.line("group " + g + ": " + open.size() + " runs");
            for (List<Trainer.Run> ensemble : RunQueue.groups(open, plan.ensemble())) train(ensemble, claim, g);
            List<Trainer.Run> trained = new ArrayList<>();
            for (Trainer.Run r : open) if (!Files.exists(r.dir().path().resolve(SweepStatus.FAILED))) trained.add(r);
            MeasureSpec m = plan.spec().measure();
            if (m != null) RunMeasurements.measureAll(trained, m.plan(), m.batches(), m.batch(), plan.ensemble(), (i, n, run) -> { });
            if (claim.lost()) throw new IllegalStateException(claimFile(plan, g) + ": another worker took this group over (this one stalled past its lease)");
            for (Trainer.Run r : trained) commit(r, m != null);
            return true;
        }
    }

    /** Trains runs at the same step as one ensemble; after a divergence, each run alone, so that only the diverging ones fail. */
    private void train(List<Trainer.Run> runs, Claim claim, int g) throws IOException {
        Trainer.Listener progress = log.training(runs, runs.getFirst().dir().latestStep());
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void progress(long step, long total, double meanLoss, double stepsPerSecond) {
                if (claim.lost()) throw new IllegalStateException(claimFile(plan, g) + ": another worker took this group over (this one stalled past its lease)");
                if (progress != null) progress.progress(step, total, meanLoss, stepsPerSecond);
            }

            @Override
            public void note(String line) {
                log.line(line);
            }
        };
        try {
            new Trainer(runs, listener).run();
        } catch (Diverged d) {
            if (runs.size() > 1) {
                for (List<Trainer.Run> alone : RunQueue.groups(runs, 1)) train(alone, claim, g);
                return;
            }
            log.line(d.getMessage());
            RunDir.write(runs.getFirst().dir().path().resolve(SweepStatus.FAILED), Json.MAPPER.createObjectNode().put("error", d.getMessage()) + "\n");
        }
    }

    /** Writes done.json: key, config, the final metrics (those not in the config) and the measurements. */
    private void commit(Trainer.Run r, boolean measured) throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>(r.dir().summary());
        SESSION_KEYS.forEach(metrics::remove);
        SweepSpec.FIELDS.forEach(metrics::remove); // steps: the config's
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("key", r.dir().path().getFileName().toString());
        done.put("config", r.config());
        done.put("metrics", metrics);
        if (measured) {
            Map<String, Object> values = new LinkedHashMap<>();
            Json.MAPPER.readTree(r.dir().path().resolve("measurements.json").toFile()).properties().forEach(e -> {
                if (e.getKey().startsWith("measure/")) values.put(e.getKey().substring("measure/".length()), e.getValue().doubleValue());
            });
            done.put("measurements", values);
        }
        RunDir.write(r.dir().path().resolve(SweepStatus.DONE), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(done) + "\n");
        log.line(r.dir().path() + ": done");
    }
}
