package org.biaslab.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.cuda.Cuda;

/**
 * Trains a list of runs, each in its own directory under a parent: finished runs are skipped, interrupted ones
 * resume, and runs that can share an ensemble (same architecture, length, batch, steps and checkpoint step) are
 * trained together, at most {@code maxEnsemble} at a time.
 */
public final class RunQueue {
    /** Called before and after each ensemble is trained. */
    public interface Observer {
        /** Returns the progress listener for this group (may be null). */
        Trainer.Listener starting(List<Trainer.Run> group, long fromStep);

        void finished(List<Trainer.Run> group) throws IOException;
    }

    private RunQueue() {}

    private static volatile Device device = Device.CPU;

    /** Trains (and measures) on {@code d} from now on in this process; the command line's {@code --device}. */
    public static void useDevice(Device d) {
        if (d == Device.CUDA) Cuda.require();
        device = d;
    }

    /** The device runs train on: the CPU unless {@link #useDevice} chose the GPU. */
    public static Device device() {
        return device;
    }

    /**
     * The most members of a run like {@code c} that fit the GPU: about 124 bytes of activations, gradients and
     * allocator slack per (example × position × width × layer), measured on P1's model, twice that for the
     * encoder-decoder, within 45% of device memory (the caching allocator holds the rest between collections).
     * Unlimited on the CPU.
     */
    public static int membersThatFit(RunConfig c) {
        if (device != Device.CUDA) return Integer.MAX_VALUE;
        double perMember = 124.0 * c.batch() * (c.n() + 1) * c.d() * c.layers() * (c.scratchpad() ? 2 : 1);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, 0.45 * Cuda.totalMemory() / perMember));
    }

    /** The run directories of {@code configs} under {@code parent} (named by {@link RunConfig#defaultName()}). */
    public static List<Trainer.Run> prepare(Path parent, List<RunConfig> configs) throws IOException {
        SequencedMap<String, RunConfig> named = new LinkedHashMap<>();
        for (RunConfig c : configs) {
            if (named.putIfAbsent(c.defaultName(), c) != null) {
                throw new IllegalArgumentException("two runs would share the directory " + c.defaultName());
            }
        }
        return prepare(parent, named);
    }

    /** The run directories {@code parent/name} of named configs, in the map's order (for grids whose runs share a default name). */
    public static List<Trainer.Run> prepare(Path parent, SequencedMap<String, RunConfig> named) throws IOException {
        for (RunConfig c : named.values()) Trainer.task(c); // an unknown task fails here, before any directory is written
        List<Trainer.Run> runs = new ArrayList<>();
        for (var e : named.entrySet()) {
            RunDir dir = new RunDir(parent.resolve(e.getKey()));
            dir.init(e.getValue());
            runs.add(new Trainer.Run(e.getValue(), dir));
        }
        return runs;
    }

    /**
     * Whether a run is done: its summary is written and its final checkpoint verifies, or it has no checkpoint left at
     * all ({@link RunDir#resultStep}: carried without its weights). A run whose final checkpoint was damaged
     * afterwards is trained again from the newest one that verifies, to bitwise the same end.
     */
    public static boolean done(Trainer.Run r) throws IOException {
        return r.dir().finished() && r.dir().resultStep() >= r.config().steps();
    }

    /** The runs of {@code runs} that are not {@link #done} grouped into ensembles, in the order of their first member. */
    public static List<List<Trainer.Run>> groups(List<Trainer.Run> runs, int maxEnsemble) throws IOException {
        List<Trainer.Run> unfinished = new ArrayList<>();
        for (Trainer.Run r : runs) if (!done(r)) unfinished.add(r);
        return ensembles(unfinished, maxEnsemble);
    }

    /**
     * {@code runs} grouped into ensembles of compatible runs at the same checkpoint step, at most {@code maxEnsemble}
     * each (on a GPU also what fits its memory), in the order of their first member.
     */
    public static List<List<Trainer.Run>> ensembles(List<Trainer.Run> runs, int maxEnsemble) throws IOException {
        if (maxEnsemble < 1) throw new IllegalArgumentException("ensemble size must be at least 1, got " + maxEnsemble);
        List<List<Trainer.Run>> groups = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        for (Trainer.Run r : runs) {
            long step = r.dir().latestStep();
            List<Trainer.Run> home = null;
            for (int g = 0; g < groups.size() && home == null; g++) {
                List<Trainer.Run> candidate = groups.get(g);
                int cap = Math.min(maxEnsemble, membersThatFit(candidate.get(0).config()));
                if (candidate.size() < cap && steps.get(g) == step && candidate.get(0).config().ensembleCompatible(r.config())) {
                    home = candidate;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                groups.add(home);
                steps.add(step);
            }
            home.add(r);
        }
        return groups;
    }

    /** Trains every unfinished run of {@code runs}. */
    public static void train(List<Trainer.Run> runs, int maxEnsemble, Observer observer) throws IOException {
        for (List<Trainer.Run> group : groups(runs, maxEnsemble)) {
            long from = group.get(0).dir().latestStep();
            new Trainer(group, observer.starting(group, from), device).run();
            observer.finished(group);
        }
    }
}
