package org.biaslab.experiment.p1;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.probe.FinalMeasurements;
import org.biaslab.probe.SharpnessConfig;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.MemberState;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * P1's end-of-training measurements of a run directory: its latest checkpoint loaded into the model the trainer
 * builds, measured over fresh batches of the run's task (data stream 2 of its seed, so they repeat exactly).
 */
public final class RunMeasurements {
    /** The data stream of measurement batches (training uses 0, evaluation 1). */
    public static final long STREAM = 2;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunMeasurements() {}

    /** A run loaded for measuring: its directory, config, target, checkpoint step and model. */
    public record LoadedRun(RunDir dir, RunConfig config, BitTask task, long step, Module model) {
        /** Builds the model as the trainer does and loads the latest checkpoint into it. */
        public static LoadedRun load(Path path) throws IOException {
            Path file = path.resolve("config.json");
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(path + " is not a run directory (no config.json)");
            RunConfig c = RunConfig.load(file);
            RunDir dir = new RunDir(path);
            RunDir.Scan found = dir.scan();
            String why = found.skipped().isEmpty() ? "" : " (" + found.skipped().getFirst() + ")";
            if (!found.found()) throw new IllegalArgumentException(path + " has no checkpoint that verifies" + why + "; train the run first");
            if (dir.finished() && found.step() < c.steps()) { // measuring an earlier checkpoint would silently measure another model
                throw new IllegalArgumentException(path + ": its newest checkpoint that verifies is at step " + found.step() + ", not at its last step "
                        + c.steps() + why + "; train the run again to recompute the rest");
            }
            RunDir.Checkpoint ck = dir.load(found);
            Module model = Trainer.model(c, Init.f32(c.seed()));
            model.load(ck.model());
            model.to(RunQueue.device());
            return new LoadedRun(dir, c, Trainer.task(c), ck.step(), model);
        }
    }

    /**
     * Measures {@code run} with {@code plan} over {@code batches} batches of {@code batch} inputs: the map written to
     * measurements.json (step, batches, batch, the sharpness settings, and {@code measure/<key>} values).
     */
    public static Map<String, Object> measure(LoadedRun run, FinalMeasurements.Plan plan, int batches, int batch,
                                              IntConsumer progress) {
        checkSizes(batches, batch);
        Sampler sampler = Sampler.uniform(List.of(run.task()), new long[] {run.config().seed()}, batch);
        Map<String, double[]> values = FinalMeasurements.measure(run.model(), i -> sampler.next(i, STREAM), batches, plan, progress);
        return result(run.step(), plan, batches, batch, values, 0);
    }

    /**
     * Measures runs that can share an ensemble (same architecture, length and checkpoint step) as one: their
     * checkpoints stacked into one model, member e measured on run e's own batches and noise, so each gets the
     * values it would get alone. Returns each run's measurements.json map, in order. With P1's fixed sharpness
     * directions the batch sums are saved to each run's {@value PartialMeasurements#FILE} as they go (every 20 s and at
     * the last batch), and a measurement of the same runs and settings continues from there; {@link #write} removes it.
     */
    public static List<Map<String, Object>> measureTogether(List<Trainer.Run> group, FinalMeasurements.Plan plan, int batches,
                                                            int batch, MeasurementProgress progress) throws IOException {
        checkSizes(batches, batch);
        RunConfig c = group.get(0).config();
        long step = group.get(0).dir().latestStep();
        List<Map<String, Tensor>> states = new ArrayList<>();
        List<BitTask> tasks = new ArrayList<>();
        long[] seeds = new long[group.size()];
        for (int e = 0; e < group.size(); e++) {
            Trainer.Run r = group.get(e);
            if (!c.ensembleCompatible(r.config()) || r.dir().latestStep() != step) {
                throw new IllegalArgumentException("measure: " + r.dir().path() + " cannot be measured with " + group.get(0).dir().path());
            }
            if (step == 0) throw new IllegalArgumentException(r.dir().path() + " has no checkpoint that verifies; train the run first");
            states.add(r.dir().loadCheckpoint().model());
            tasks.add(Trainer.task(r.config()));
            seeds[e] = r.config().seed();
        }
        Module model = Trainer.model(c, Init.forLoading(DType.F32, group.size()));
        model.load(MemberState.stack(states));
        model.to(RunQueue.device());
        Sampler sampler = Sampler.uniform(tasks, seeds, batch);
        // a measurement cut off earlier goes on from its saved sums (P1's fixed directions make that exact)
        List<RunDir> dirs = group.stream().map(Trainer.Run::dir).toList();
        Map<String, Object> header = result(step, plan, batches, batch, Map.of(), 0); // the same for every member
        boolean resumable = FinalMeasurements.resumable(plan);
        FinalMeasurements.Partial from = resumable ? PartialMeasurements.read(dirs, header) : FinalMeasurements.Partial.NONE;
        Map<String, double[]> values;
        try (MeasurementProgress.Batches counter = progress.batches(from.done(), batches)) {
            values = FinalMeasurements.measure(model, i -> sampler.next(i, STREAM), batches, plan, from,
                    resumable ? PartialMeasurements.saver(dirs, header, batches) : p -> { }, counter);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int e = 0; e < group.size(); e++) out.add(result(step, plan, batches, batch, values, e));
        return out;
    }

    private static void checkSizes(int batches, int batch) {
        if (batches < 1) throw new IllegalArgumentException("--batches must be at least 1, got " + batches);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
    }

    /** The measurements.json map of member e: step, sizes, sharpness settings and {@code measure/<key>} values. */
    private static Map<String, Object> result(long step, FinalMeasurements.Plan plan, int batches, int batch,
                                              Map<String, double[]> values, int e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("step", step);
        out.put("batches", batches);
        out.put("batch", batch);
        if (plan.sharpness() != null) {
            SharpnessConfig s = plan.sharpness();
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("eps", s.eps());
            settings.put("repeats", s.repeats());
            settings.put("seed", s.seed());
            settings.put("exclude", s.exclude());
            settings.put("directions", s.fixedDirections() ? "fixed" : "fresh");
            out.put("settings", settings);
        }
        values.forEach((k, v) -> out.put("measure/" + k, v[e]));
        return out;
    }

    /** Writes {@code values} as the run's measurements.json. */
    public static void write(RunDir dir, Map<String, Object> values) throws IOException {
        Files.writeString(dir.path().resolve("measurements.json"), JSON.writeValueAsString(values) + "\n");
        PartialMeasurements.delete(dir);
    }

    /** Whether the run has measurements of its latest checkpoint (or of its last step, when carried without checkpoints). */
    public static boolean measured(RunDir dir) throws IOException {
        Path file = dir.path().resolve("measurements.json");
        if (!Files.exists(file)) return false;
        return JSON.readTree(file.toFile()).path("step").asLong(-1) == dir.resultStep();
    }

    /**
     * Measures each run of {@code runs} that has no measurements of its latest checkpoint (so an interrupted
     * reproduction resumes), up to {@code maxEnsemble} compatible runs at a time as one ensemble (on a GPU also
     * capped by its memory), announcing each run to {@code progress}; returns the runs' directories in order.
     */
    public static List<Path> measureAll(List<Trainer.Run> runs, FinalMeasurements.Plan plan, int batches, int batch,
                                        int maxEnsemble, MeasurementProgress progress) throws IOException {
        List<Path> dirs = new ArrayList<>();
        List<Trainer.Run> unmeasured = new ArrayList<>();
        Map<Trainer.Run, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            Trainer.Run r = runs.get(i);
            dirs.add(r.dir().path());
            position.put(r, i);
            if (!measured(r.dir())) unmeasured.add(r);
        }
        for (List<Trainer.Run> group : RunQueue.ensembles(unmeasured, maxEnsemble)) {
            for (Trainer.Run r : group) progress.measuring(position.get(r) + 1, runs.size(), r.dir().path());
            List<Map<String, Object>> values = measureTogether(group, plan, batches, batch, progress);
            for (int k = 0; k < group.size(); k++) write(group.get(k).dir(), values.get(k));
        }
        return dirs;
    }
}
