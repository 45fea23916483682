package org.biaslab.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.boolfn.RealFunction;
import org.biaslab.data.Batch;
import org.biaslab.data.BatchPrefetch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1ScratchpadTransformer;
import org.biaslab.nn.P1Transformer;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.GradClip;
import org.biaslab.optim.Schedule;
import org.biaslab.probe.P1Objective;
import org.biaslab.probe.ParameterNorm;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * Trains runs that share an architecture and input length as one ensemble: member e is run e, with its own seed,
 * target, learning rate and restricted set. Each run keeps its own directory, metrics and checkpoints, and a
 * member's numbers are bitwise those of the run trained alone, so runs resume alone or grouped.
 */
public final class Trainer {
    static final long TRAIN = 0, EVAL = 1;

    /** Receives progress; the command line shows it as a progress bar. */
    public interface Listener {
        void progress(long step, long total, double meanLoss, double stepsPerSecond);

        /** Something the user should know about a run's files, in one line: a damaged checkpoint passed over, a corrupt metrics line dropped. */
        default void note(String line) {}
    }

    /** A run to train: its config and its directory. */
    public record Run(RunConfig config, RunDir dir) {}

    private final List<Run> runs;
    private final RunConfig c;
    private final int members;
    private final Device device;
    private final Module model;
    private final Sampler sampler;
    private final AdamW optimizer;
    private final Schedule schedule;
    private final Listener listener;
    private Measurement measurement;
    private int measureEvery;
    private static volatile boolean captureSteps = true;

    /**
     * With {@code on} (the default), a P1 model on the GPU with fixed-shape batches trains by a {@link CapturedStep}:
     * forward, loss and backward captured once as a CUDA graph and replayed each step, the optimiser eager. Replays give
     * the eager step's bits; elsewhere (the CPU, the scratchpad model, ranges of lengths) training is eager as without it.
     */
    public static void setCaptureSteps(boolean on) {
        captureSteps = on;
    }

    /** Builds the ensemble of {@code runs} (ensemble-compatible, at the same checkpoint step) on {@link RunQueue#device()}. */
    public Trainer(List<Run> runs, Listener listener) throws IOException {
        this(runs, listener, RunQueue.device());
    }

    /**
     * Builds the ensemble on {@code device}: parameters are initialised (or loaded) on the CPU, as everywhere, then
     * moved; batches are drawn on the CPU and copied in; losses and metrics come back to the host.
     */
    public Trainer(List<Run> runs, Listener listener, Device device) throws IOException {
        if (runs.isEmpty()) throw new IllegalArgumentException("train: no runs");
        this.runs = List.copyOf(runs);
        this.c = runs.get(0).config();
        this.members = runs.size();
        this.listener = listener;
        long[] seeds = new long[members], subsetSeeds = new long[members];
        double[] lrs = new double[members], decays = new double[members];
        List<BitTask> tasks = new ArrayList<>();
        for (int e = 0; e < members; e++) {
            RunConfig ce = runs.get(e).config();
            if (!c.ensembleCompatible(ce)) throw new IllegalArgumentException("train: runs " + runs.get(0).dir().path() + " and " + runs.get(e).dir().path() + " cannot share an ensemble");
            seeds[e] = ce.seed();
            subsetSeeds[e] = ce.restrictedSeed();
            lrs[e] = ce.lr();
            decays[e] = ce.weightDecay();
            tasks.add(task(ce));
        }
        model = model(c, Init.f32(seeds));
        sampler = c.restrictedSize() > 0 ? Sampler.restricted(tasks, seeds, c.batch(), c.restrictedSize(), subsetSeeds)
                : c.minN() > 0 && c.minN() < c.n() ? Sampler.lengthRange(runs.stream().map(r -> taskAtLength(r.config())).toList(),
                        seeds, c.batch(), c.minN(), c.n())
                : Sampler.uniform(tasks, seeds, c.batch());
        List<RunDir.Scan> scans = new ArrayList<>();
        for (Run r : runs) scans.add(r.dir().scan());
        long start = Math.max(0, scans.get(0).step());
        for (int e = 0; e < members; e++) {
            RunDir.Scan s = scans.get(e);
            if (Math.max(0, s.step()) != start) throw new IllegalArgumentException("train: runs in one ensemble must resume from the same step");
            String from = s.found() ? "resuming from " + RunDir.checkpointName(s.step()) : "starting from step 0";
            for (String skipped : s.skipped()) note(skipped + "; " + from);
        }
        List<RunDir.Checkpoint> cks = new ArrayList<>();
        if (start > 0) {
            for (int e = 0; e < members; e++) cks.add(runs.get(e).dir().load(scans.get(e)));
            model.load(MemberState.stack(cks.stream().map(RunDir.Checkpoint::model).toList()));
        }
        model.to(device);
        this.device = device;
        if (captureSteps && device == Device.CUDA) CudaGraph.prepare(); // before the first GEMM: eager steps and replays share cuBLAS's workspace
        AdamWConfig opt = new AdamWConfig(c.lr(), c.beta1(), c.beta2(), c.eps(), c.weightDecay());
        schedule = Schedule.parse(c.schedule(), c.steps());
        optimizer = members == 1 ? new AdamW(model.namedParameters(), opt, schedule) : new AdamW(model.namedParameters(), opt, schedule, lrs, decays);
        if (start > 0) optimizer.load(MemberState.stack(cks.stream().map(RunDir.Checkpoint::optimizer).toList()));
    }

    /** The model a run trains (P1's encoder, or its scratchpad encoder-decoder), initialised by {@code init}. */
    public static Module model(RunConfig c, Init init) {
        return c.scratchpad() ? new P1ScratchpadTransformer(c.d(), c.layers(), c.heads(), c.maxLen(), init)
                : new P1Transformer(c.d(), c.layers(), c.heads(), c.maxLen(), init);
    }

    /** A run's task at any length of its range. */
    private static java.util.function.IntFunction<BitTask> taskAtLength(RunConfig c) {
        return len -> task(c.with(Map.of("n", len)));
    }

    /** The target of a run: its function, or the n prefix parities for the scratchpad. */
    public static BitTask task(RunConfig c) {
        if (c.scratchpad()) {
            List<RealFunction> fs = FunctionCatalog.parse("prefix-parity", c.n()).stream().map(FunctionCatalog.Named::function).toList();
            return new BitTask(c.n(), fs);
        }
        List<FunctionCatalog.Named> fs = FunctionCatalog.parse(c.task(), c.n());
        if (fs.size() != 1) throw new IllegalArgumentException("config: task '" + c.task() + "' has " + fs.size() + " outputs; use scratchpad for prefix parities");
        return BitTask.of(fs.get(0).function());
    }

    public Module model() {
        return model;
    }

    /** Takes {@code m} every {@code every} steps (and at the end), logging its values with the step's metrics. */
    public Trainer measureEvery(int every, Measurement m) {
        if (every < 1) throw new IllegalArgumentException("train: measurement interval must be positive, got " + every);
        this.measureEvery = every;
        this.measurement = m;
        return this;
    }

    /** Trains from the resumed step to the end, logging, evaluating and checkpointing as configured. */
    public void run() throws IOException {
        long start = optimizer.steps();
        for (Run r : runs) {
            r.dir().truncateMetrics(start).forEach(this::note);
            List<Map<String, Object>> logged = r.dir().metrics();
            long last = !logged.isEmpty() && logged.getLast().get("step") instanceof Number n ? n.longValue() : 0, due = start - start % c.logEvery();
            if (last < due) {
                note(r.dir().path().resolve("metrics.jsonl") + " ends at step " + last + ", before the checkpoint's step " + start
                        + ": the lines of steps " + (last + 1) + " to " + due + " are lost (they are not recomputed)");
            }
        }
        long t0 = System.nanoTime();
        double[] lastEval = null;
        // the next batch is drawn while this step runs, and the losses are read only once the whole step is queued,
        // so a GPU does not wait for the host between forward and backward
        CapturedStep captured = null;
        try (BatchPrefetch batches = new BatchPrefetch(sampler, start, c.steps(), TRAIN)) {
            for (long step = start; step < c.steps(); step++) {
                Batch b = batches.next();
                Tensor losses;
                try (Precision.Scope ignored = Precision.trainingStep(device)) {
                    if (captured == null && capturable()) captured = CapturedStep.capture((P1Transformer) model, b, members);
                    if (captured != null) {
                        captured.feed(b);
                        losses = captured.replay(); // the gradient fields are the graph's: no zeroGrad
                    } else {
                        losses = P1Objective.loss(P1Objective.predict(model, b), b.y(), members);
                        losses.sum().backward();
                    }
                    if (c.clip() > 0) GradClip.clipNormPerMember(model.namedParameters().values(), c.clip());
                    optimizer.step();
                    if (captured == null) optimizer.zeroGrad();
                }
                double[] l = losses.toDoubleArray();
                for (int e = 0; e < members; e++) {
                    if (!Double.isFinite(l[e])) { // the loss of update step + 1, logged as that step's train/loss
                        throw new Diverged("train: loss became " + l[e] + " at step " + (step + 1) + " in " + runs.get(e).dir().path()
                                + "; " + runs.get(e).dir().lastGood());
                    }
                }
                double[] ev = afterStep(step + 1, start, t0, l);
                if (ev != null) lastEval = ev;
            }
        } finally {
            if (captured != null) {
                captured.close();
                optimizer.zeroGrad(); // the graph's gradient tensors go with it
            }
        }
        if (lastEval == null) lastEval = evaluate();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] norms = ParameterNorm.of(model, ParameterNorm.P1_EXCLUDE);
        for (int e = 0; e < members; e++) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("steps", c.steps());
            s.put("eval/loss", lastEval[2 * e]);
            s.put("eval/accuracy", lastEval[2 * e + 1]);
            s.put("param_norm", norms[e]);
            s.put("converged", lastEval[2 * e] < 1e-3);
            s.put("ensemble_members", members);
            s.put("wall_seconds_this_session", seconds);
            runs.get(e).dir().writeSummary(s);
        }
    }

    /** Whether this ensemble's steps can be captured: asked for, a P1 model on the GPU, every batch of one shape. */
    private boolean capturable() {
        return captureSteps && device == Device.CUDA && model instanceof P1Transformer && !(c.minN() > 0 && c.minN() < c.n());
    }

    /** Progress, logs, evaluation, measurements and checkpoints after step {@code done}; returns the evaluation or null. */
    private double[] afterStep(long done, long start, long t0, double[] l) throws IOException {
        double rate = (done - start) / ((System.nanoTime() - t0) / 1e9);
        if (listener != null) listener.progress(done, c.steps(), mean(l), rate);
        boolean log = done % c.logEvery() == 0, eval = done % c.evalEvery() == 0 || done == c.steps();
        boolean measure = measurement != null && (done % measureEvery == 0 || done == c.steps());
        double[] ev = null;
        if (log || eval || measure) {
            double[] norms = ParameterNorm.of(model, ParameterNorm.P1_EXCLUDE);
            ev = eval ? evaluate() : null;
            Map<String, double[]> measured = Map.of();
            if (measure) {
                try (var off = GradMode.off()) {
                    measured = measurement.measure(model, done);
                }
            }
            for (int e = 0; e < members; e++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", done);
                m.put("train/loss", l[e]);
                m.put("param_norm", norms[e]);
                m.put("lr", runs.get(e).config().lr() * schedule.factor(done - 1));
                m.put("steps_per_s", rate);
                if (ev != null) {
                    m.put("eval/loss", ev[2 * e]);
                    m.put("eval/accuracy", ev[2 * e + 1]);
                }
                for (var entry : measured.entrySet()) m.put(entry.getKey(), entry.getValue()[e]);
                runs.get(e).dir().log(m);
            }
        }
        if (done % c.checkpointEvery() == 0 || done == c.steps()) checkpoint(done);
        return ev;
    }

    /** Writes each member's checkpoint; a member whose state is no longer finite gets none, and training stops after the others'. */
    private void checkpoint(long step) throws IOException {
        Map<String, Tensor> params = model.namedParameters(), state = optimizer.state();
        Diverged first = null;
        int diverged = 0;
        for (int e = 0; e < members; e++) {
            try {
                runs.get(e).dir().saveCheckpoint(step, MemberState.member(params, members, e), MemberState.member(state, members, e),
                        runs.get(e).config());
            } catch (Diverged d) {
                if (first == null) first = d;
                diverged++;
            }
        }
        if (first != null) {
            throw new Diverged("train: " + first.getMessage() + (diverged > 1 ? " (and " + (diverged - 1) + " more runs of this ensemble)" : ""));
        }
    }

    private void note(String line) {
        if (listener != null) listener.note(line);
    }

    /** Loss and accuracy ((output > 0.5) = target) of each member over {@code evalBatches} fresh batches: [l0, a0, l1, a1, …]. */
    double[] evaluate() {
        double[] out = new double[2 * members];
        try (var off = GradMode.off()) {
            for (int i = 0; i < c.evalBatches(); i++) {
                Batch b = sampler.next(i, EVAL);
                Tensor pred = P1Objective.predict(model, b);
                double[] l = P1Objective.loss(pred, b.y(), members).toDoubleArray();
                double[] a = P1Objective.accuracy(pred, b.y(), members);
                for (int e = 0; e < members; e++) {
                    out[2 * e] += l[e] / c.evalBatches();
                    out[2 * e + 1] += a[e] / c.evalBatches();
                }
            }
        }
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
