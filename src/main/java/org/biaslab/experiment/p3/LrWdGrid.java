package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Files;
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

    /**
     * The reference's 20 × 20 grid, one epoch of the whole corpus, 20 cells per ensemble, on the small model (d 128,
     * 4 layers, 4 heads, d_ff 256): at the reference's size the 800 cells are 800 epochs of a 53-M-parameter LM, 3.5 (TF32)
     * to 6 hours on one H200 (docs/p3.md); {@link #with} sets {@code preset} back to "reference".
     */
    public static LrWdGrid full(String corpus) {
        LmRunConfig base = LmRunConfig.defaults(corpus).with(Map.of("tokenizer", "words", "preset", "small", "epochs", 1));
        return new LrWdGrid(base, 20, List.of("adamw", "sgd"), 20);
    }

    /** This grid with {@code overrides} (config field → value, e.g. {@code preset}) applied to its base config. */
    public LrWdGrid with(Map<String, Object> overrides) {
        return new LrWdGrid(base.with(overrides), points, optimizers, maxMembers);
    }

    /** Computes the grids not computed yet; returns every optimiser's. */
    public List<NormGrid.Result> run(Path dir, Device device, P3.Observer observer) throws IOException {
        List<NormGrid.Result> out = new ArrayList<>();
        double[] g = NormGrid.logGrid(points);
        for (String opt : optimizers) {
            LmRunConfig config = base.with(Map.of("optimizer", opt));
            requireSameConfig(dir.resolve(opt + ".config.json"), config);
            NormGrid.Result r = read(dir, opt);
            if (r == null) {
                String task = "grid " + opt;
                r = NormGrid.run(config, opt, g, g, LmTraining.ENCODER, maxMembers, device,
                        (done, cells) -> observer.progress(task, done, cells, "cells"), dir.resolve(opt + ".partial.json"));
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(opt + ".config.json"), config.toJson());
                ResultFiles.write(dir.resolve(opt + ".json"), r);
            }
            out.add(r);
        }
        return out;
    }

    /** A grid kept with another config is an error naming the fields that differ (a grid kept without one is taken as is). */
    private static void requireSameConfig(Path file, LmRunConfig config) throws IOException {
        LmRunConfig kept = kept(file);
        if (kept == null) return;
        List<String> differ = kept.differences(config);
        if (!differ.isEmpty()) {
            throw new IllegalArgumentException("P3 grid: " + file.getParent() + " holds a grid computed with another config (" + String.join(", ", differ)
                    + "); choose another --out or delete it");
        }
    }

    /** The config kept beside the grid of {@code optimizer} in {@code dir}, or null (not computed, or computed before configs were kept). */
    static LmRunConfig keptConfig(Path dir, String optimizer) throws IOException {
        return kept(dir.resolve(optimizer + ".config.json"));
    }

    private static LmRunConfig kept(Path file) throws IOException {
        return Files.exists(file) ? LmRunConfig.fromJson(Files.readString(file)) : null;
    }

    /** The grid of {@code optimizer} kept in {@code dir}, or null. */
    static NormGrid.Result read(Path dir, String optimizer) throws IOException {
        return ResultFiles.read(dir.resolve(optimizer + ".json"), NormGrid.Result.class);
    }
}
