package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.biaslab.data.TextBatch;
import org.biaslab.nn.Init;
import org.biaslab.nn.lm.LanguageModel;
import org.biaslab.optim.Optimizer;
import org.biaslab.probe.ParameterNorm;
import org.biaslab.tensor.Device;

/**
 * P3's learning-rate × weight-decay grid (papers.md §P3.4 (3), the reference's {@code grid.py}): for every (η, λ)
 * one epoch of training from the same initialisation (the config's first seed), recording the parameter norm
 * before and after. Cells train as members of one ensemble, each with its own η and λ, up to {@code maxMembers} at
 * a time (SGD takes one λ per ensemble, so its ensembles are cut at each λ). A cell whose training diverges gets a
 * NaN norm. With a partial file, the cells done are kept there after every ensemble, and a run of the same grid
 * resumes after them (the ensembles and their results are those of an uninterrupted run).
 */
public final class NormGrid {
    private NormGrid() {}

    /** Receives progress: cells done of all, after each ensemble. */
    public interface Listener {
        void progress(int cellsDone, int cells);
    }

    /** Norms before and after, indexed [lr][wd]. */
    public record Result(String optimizer, double[] lrs, double[] wds, double[][] before, double[][] after) {
        /** Δnorm of cell (η = lrs[i], λ = wds[j]). */
        public double delta(int i, int j) {
            return after[i][j] - before[i][j];
        }
    }

    /** An unfinished grid: what it is (config JSON, optimiser, axes, ensemble size) and the first {@code cellsDone} cells' norms. */
    record Partial(String config, String optimizer, double[] lrs, double[] wds, int maxMembers, int cellsDone,
                   double[][] before, double[][] after) {
        boolean sameGrid(Partial o) {
            return config.equals(o.config) && optimizer.equals(o.optimizer) && Arrays.equals(lrs, o.lrs) && Arrays.equals(wds, o.wds)
                    && maxMembers == o.maxMembers;
        }
    }

    /** n points from 10^-1 down to 10^-5, evenly spaced in log: the reference's {@code np.logspace(1, 5, base=0.1, num=n)}. */
    public static double[] logGrid(int n) {
        if (n < 2) throw new IllegalArgumentException("grid: needs at least 2 points, got " + n);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = Math.pow(10, -(1 + 4.0 * i / (n - 1)));
        return out;
    }

    /**
     * Trains one epoch of {@code c} (its data, model, batch and data seed) for every (lrs[i], wds[j]) with
     * {@code optimizer} ("adamw" or "sgd") and returns the norms, {@code normExclude} choosing the parameters
     * (e.g. {@link LmTraining#ENCODER}); listener may be null.
     */
    public static Result run(LmRunConfig c, String optimizer, double[] lrs, double[] wds, String normExclude, int maxMembers,
                             Device device, Listener listener) throws IOException {
        return run(c, optimizer, lrs, wds, normExclude, maxMembers, device, listener, null);
    }

    /**
     * {@link #run(LmRunConfig, String, double[], double[], String, int, Device, Listener)}, keeping the cells done in
     * {@code partial} (null: nowhere) after every ensemble and resuming after those kept there; a partial file of
     * another grid is refused in one line. The file is deleted when the grid is complete.
     */
    public static Result run(LmRunConfig c, String optimizer, double[] lrs, double[] wds, String normExclude, int maxMembers,
                             Device device, Listener listener, Path partial) throws IOException {
        if (maxMembers < 1) throw new IllegalArgumentException("grid: maxMembers must be positive, got " + maxMembers);
        LmData data = LmData.load(c);
        List<TextBatch> batches = data.epoch(0, c.batch(), c.dataSeed());
        if (batches.isEmpty()) throw new IllegalArgumentException("grid: " + data.train().size() + " training sequences make no batch of " + c.batch());
        Partial state = new Partial(c.toJson(), optimizer, lrs.clone(), wds.clone(), maxMembers, 0,
                new double[lrs.length][wds.length], new double[lrs.length][wds.length]);
        Partial kept = partial == null ? null : ResultFiles.read(partial, Partial.class);
        if (kept != null) {
            if (!kept.sameGrid(state)) {
                throw new IllegalArgumentException("grid: " + partial + " holds an unfinished grid of another config, optimiser, axes or ensemble size; delete it or write elsewhere");
            }
            state = kept;
        }
        double[][] before = state.before(), after = state.after();
        List<int[]> cells = new ArrayList<>(); // (i, j), λ-major so that SGD's ensembles share λ
        for (int j = 0; j < wds.length; j++) for (int i = 0; i < lrs.length; i++) cells.add(new int[] {i, j});
        int done = state.cellsDone();
        if (listener != null && done > 0) listener.progress(done, cells.size());
        while (done < cells.size()) {
            int end = done + 1;
            while (end < cells.size() && end - done < maxMembers && (!optimizer.equals("sgd") || cells.get(end)[1] == cells.get(done)[1])) end++;
            List<int[]> group = cells.subList(done, end);
            int k = group.size();
            long[] seeds = new long[k];
            Arrays.fill(seeds, c.seeds().get(0));
            double[] lr = new double[k], wd = new double[k];
            for (int m = 0; m < k; m++) {
                lr[m] = lrs[group.get(m)[0]];
                wd[m] = wds[group.get(m)[1]];
            }
            LanguageModel model = new LanguageModel(c.model(data.vocab().size()), Init.f32(seeds));
            model.to(device);
            double[] n0 = ParameterNorm.of(model, normExclude);
            Optimizer<?> opt = LmTraining.optimizer(optimizer, model, lr, wd);
            for (TextBatch b : batches) LmTraining.step(model, opt, b, device);
            double[] n1 = ParameterNorm.of(model, normExclude);
            for (int m = 0; m < k; m++) {
                before[group.get(m)[0]][group.get(m)[1]] = n0[m];
                after[group.get(m)[0]][group.get(m)[1]] = n1[m];
            }
            done = end;
            if (partial != null) ResultFiles.writeAtomically(partial, new Partial(state.config(), optimizer, lrs, wds, maxMembers, done, before, after));
            if (listener != null) listener.progress(done, cells.size());
        }
        if (partial != null) Files.deleteIfExists(partial);
        return new Result(optimizer, lrs.clone(), wds.clone(), before, after);
    }
}
