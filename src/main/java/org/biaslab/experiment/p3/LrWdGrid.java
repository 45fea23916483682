package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.tensor.Device;

/**
 * P3's learning-rate × weight-decay grid (papers.md §P3.4 (3)): for each optimiser, one epoch from the same
 * initialisation per (η, λ) on the reference's log grid 10^-1 … 10^-5 ({@link NormGrid}), recording the change of the
 * encoder's norm (embeddings and classifier excluded). Each optimiser's grid is kept as {@code <optimizer>.json}
 * ({@link NormGrid.Result}) and not recomputed.
 *
 * @param base       data, model and batch of the epoch (its {@code maxTrain} sets the epoch's length)
 * @param points     grid points per axis (the reference: 20)
 * @param optimizers adamw and/or sgd
 * @param maxMembers most cells trained together as one ensemble
 */
public record LrWdGrid(LmRunConfig base, int points, List<String> optimizers, int maxMembers) {

    public LrWdGrid {
        NormGrid.logGrid(points);
        optimizers = List.copyOf(optimizers);
        for (String o : optimizers) if (!o.equals("adamw") && !o.equals("sgd")) throw new IllegalArgumentException("P3 grid: unknown optimizer '" + o + "'");
    }

    /** 5 × 5 cells, an "epoch" of the first 320 training verses (20 steps of 16), the tiny model; all cells of AdamW as one ensemble. */
    public static LrWdGrid quick(String corpus) {
        LmRunConfig base = LmRunConfig.defaults(corpus).with(Map.of("tokenizer", "words", "maxTrain", 320, "maxDev", 50,
                "preset", "tiny", "epochs", 1));
        return new LrWdGrid(base, 5, List.of("adamw", "sgd"), 25);
    }

    /** The reference's 20 × 20 grid, one epoch of the whole corpus, the reference's model, 20 cells per ensemble. */
    public static LrWdGrid full(String corpus) {
        LmRunConfig base = LmRunConfig.defaults(corpus).with(Map.of("tokenizer", "words", "preset", "reference", "epochs", 1));
        return new LrWdGrid(base, 20, List.of("adamw", "sgd"), 20);
    }

    /** Computes the grids not computed yet; returns every optimiser's. */
    public List<NormGrid.Result> run(Path dir, Device device, P3.Observer observer) throws IOException {
        List<NormGrid.Result> out = new ArrayList<>();
        double[] g = NormGrid.logGrid(points);
        for (String opt : optimizers) {
            NormGrid.Result r = read(dir, opt);
            if (r == null) {
                String task = "grid " + opt;
                r = NormGrid.run(base.with(Map.of("optimizer", opt)), opt, g, g, LmTraining.ENCODER, maxMembers, device,
                        (done, cells) -> observer.progress(task, done, cells, "cells"));
                ResultFiles.write(dir.resolve(opt + ".json"), r);
            }
            out.add(r);
        }
        return out;
    }

    /** The grid of {@code optimizer} kept in {@code dir}, or null. */
    static NormGrid.Result read(Path dir, String optimizer) throws IOException {
        return ResultFiles.read(dir.resolve(optimizer + ".json"), NormGrid.Result.class);
    }
}
