package org.biaslab.cli;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.biaslab.experiment.p1.Dynamics;
import org.biaslab.experiment.p1.DynamicsReport;
import org.biaslab.experiment.p1.Generalisation;
import org.biaslab.experiment.p1.LengthScaling;
import org.biaslab.experiment.p1.RunFilter;
import org.biaslab.experiment.p1.Scratchpad;
import org.biaslab.experiment.p1.Tradeoff;
import org.biaslab.experiment.p2.Reproduction;
import org.biaslab.train.Diverged;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Reproduces a paper's experiments from one command: trains, measures and writes the report; resumable. */
@Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reproduce a paper's experiments: train, measure, report (resumable).",
                "Finished runs are skipped, interrupted ones resume; report.html has the paper's",
                "figures and, for p2 and p3, a verdict on each of the paper's findings.",
                "  p1  Hahn & Rofin: e1 length scaling (its sweeps alone: e1-short, e1-long),",
                "      e2 norm-blowup tradeoff, e3 dynamics, e4 scratchpad, e5 generalisation",
                "  p2  Dovonon et al.: vit (ViTs on MNIST), pretrained, simplified",
                "  p3  Merrill et al.: lm (language models), grid (lr × wd), pretrained,",
                "      homogeneity",
                "Details: docs/experiments.md."})
public final class ReproduceCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PAPER", description = "p1, p2 or p3")
    String paper;

    @Option(names = "--quick", description = "a scale-down that finishes in minutes on a laptop's CPU")
    boolean quick;

    @Option(names = "--out", defaultValue = "runs", description = "parent of the experiments' directories, e.g. runs/p1-e1-quick (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--experiments", split = ",", defaultValue = "e1,e2,e3,e4,e5", description = "which experiments or parts (default: p1 ${DEFAULT-VALUE}; p2 and p3 all their parts)")
    List<String> experiments;

    @Option(names = "--functions", split = ",", paramLabel = "F", description = "p1: train and measure only these functions (e5: its targets random:T; default: all; the reports cover every run trained so far)")
    List<String> functions;

    @Option(names = "--seeds", split = ",", paramLabel = "S", description = "p1: only these seeds (e5: training sets; default: all)")
    List<Long> seeds;

    @Option(names = "--lengths", split = ",", paramLabel = "N", description = "p1: only these lengths n (default: all)")
    List<Integer> lengths;

    @Option(names = "--steps", split = ",", paramLabel = "STEPS", description = "p1 e3: only the sweeps of these training lengths (full: 20000, 100000; default: all)")
    List<Long> steps;

    @Option(names = "--report-only", description = "p1: train and measure nothing, write the reports of the runs trained and measured so far (e.g. slices copied from a GPU machine)")
    boolean reportOnly;

    @Option(names = "--ensemble", defaultValue = "64", description = "most runs trained together (default ${DEFAULT-VALUE})")
    int ensemble;

    @Option(names = "--print-sweep", description = "p1: print the grids of e1 and e2 as W&B sweep files (YAML documents for 'sweep run') and train nothing")
    boolean printSweep;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda: where runs train and are measured (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--tf32", description = "on the GPU, the training steps' GEMMs on TF32 tensor cores; evaluation and measurements stay exact float32 (default: exact)")
    boolean tf32;

    @Option(names = "--graph", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "p1: on the GPU, each P1 training step's forward, loss and backward captured once as a CUDA graph and replayed: the eager step's bits, fewer launches (default; --no-graph trains eagerly; docs/gpu.md)")
    boolean graph;

    @Option(names = "--grid-preset", paramLabel = "PRESET", description = "p3 grid: the LM of the lr × wd grid, tiny, small or reference (default: small in full, tiny in --quick; docs/p3.md)")
    String gridPreset;

    /** P2's options (--mnist, --fashion-mnist) and run: Dovonon et al.'s oversmoothing (docs/experiments.md). */
    @Mixin
    P2Options p2 = new P2Options();

    @Option(names = "--corpus", paramLabel = "FILE", description = "p2, p3: the text corpus, one text per line (default: the KJV at ~/.cache/biaslab/kjv/kjv.txt)")
    Path corpus = Reproduction.Inputs.KJV;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Precision.setTrainingTf32(tf32);
        Trainer.setCaptureSteps(graph);
        if (printSweep && !paper.equals("p1")) throw new IllegalArgumentException("--print-sweep applies to p1 only");
        boolean asked = spec.commandLine().getParseResult().hasMatchedOption("--graph") && graph; // not only the default
        if (asked && !paper.equals("p1")) throw new IllegalArgumentException("--graph applies to p1 only");
        if (asked && Device.parse(device) != Device.CUDA) throw new IllegalArgumentException("--graph needs --device cuda (CUDA graphs)");
        if (paper.equals("p3")) {
            boolean given = spec.commandLine().getParseResult().hasMatchedOption("--experiments");
            return ReproduceP3.run(quick, out, corpus, given ? experiments : null, Device.parse(device), gridPreset);
        }
        if (gridPreset != null) throw new IllegalArgumentException("--grid-preset applies to p3 only");
        RunQueue.useDevice(Device.parse(device));
        if (paper.equals("p2")) return p2.run(quick, out, experiments, corpus, device);
        if (!paper.equals("p1")) throw new IllegalArgumentException("unknown paper '" + paper + "' (implemented: p1, p2, p3)");
        for (String e : experiments) {
            if (!List.of("e1", "e1-short", "e1-long", "e2", "e3", "e4", "e5").contains(e)) {
                throw new IllegalArgumentException("unknown experiment '" + e + "' (p1: e1, e1-short, e1-long, e2, e3, e4, e5)");
            }
        }
        if (printSweep) {
            List<String> none = experiments.stream().filter(e -> !e.startsWith("e1") && !e.equals("e2")).toList();
            if (!none.isEmpty()) System.err.println("reproduce: " + String.join(", ", none) + (none.size() == 1 ? " has" : " have") + " no sweep form (they measure during training or refit after it)");
            System.out.print(P1Sweeps.yaml(quick, experiments));
            return 0;
        }
        Set<String> e1Sweeps = new LinkedHashSet<>();
        for (String e : experiments) if (e.startsWith("e1-")) e1Sweeps.add(e.substring("e1-".length()));
        boolean e1 = experiments.contains("e1") || !e1Sweeps.isEmpty();
        boolean sliced = functions != null || seeds != null || lengths != null;
        if (steps != null && !experiments.contains("e3")) throw new IllegalArgumentException("--steps applies to p1's e3 only; add e3 to --experiments");
        if (reportOnly && (sliced || steps != null)) {
            throw new IllegalArgumentException("--report-only trains nothing, and its reports cover every run there: drop --functions, --seeds, --lengths and --steps");
        }
        RunFilter filter = reportOnly ? RunFilter.NONE : new RunFilter(set(functions), set(seeds), set(lengths));
        // a slice that E1 to E4 cannot take is refused before anything is printed or E1 trains for hours
        LengthScaling scaling = quick ? LengthScaling.quick() : LengthScaling.full();
        LengthScaling.Slice slice = new LengthScaling.Slice(reportOnly ? Set.of() : experiments.contains("e1") ? null : e1Sweeps, filter);
        if (e1) scaling.check(slice);
        Tradeoff e2 = quick ? Tradeoff.quick() : Tradeoff.full();
        Dynamics e3 = quick ? Dynamics.quick() : Dynamics.full();
        Scratchpad e4 = quick ? Scratchpad.quick() : Scratchpad.full();
        if (sliced && experiments.contains("e2")) e2.check(filter);
        if (experiments.contains("e3")) e3.check(set(steps), filter);
        if (sliced && experiments.contains("e4")) e4.check(filter);
        Generalisation e5 = quick ? Generalisation.quick() : Generalisation.full();
        if (sliced && experiments.contains("e5")) e5.check(filter);
        String suffix = quick ? "-quick" : "";
        long t0 = System.nanoTime();
        try {
            if (e1) {
                Path dir = out.resolve("p1-e1" + suffix);
                for (LengthScaling.Sweep s : scaling.sweeps()) {
                    if (!slice.has(s)) continue;
                    List<RunConfig> runs = s.runs().stream().filter(slice::has).toList();
                    System.out.printf("P1 E1 %s: %d runs (%s × n %s × seeds %s, d = %d, batch %d) in %s%n", s.name(), runs.size(),
                            String.join(", ", runs.stream().map(RunConfig::task).distinct().toList()), runs.stream().map(RunConfig::n).distinct().toList(),
                            runs.stream().map(RunConfig::seed).distinct().toList(), s.base().d(), s.base().batch(), dir.resolve(s.part()));
                }
                LengthScaling.Outcome outcome = scaling.run(dir, slice, ensemble, new TrainCommand.ProgressObserver(),
                        new MeasureProgress());
                System.out.println(outcome.line());
                System.out.printf("report: %s (%.1f min so far)%n", outcome.report(), (System.nanoTime() - t0) / 60e9);
            }
            if (experiments.contains("e2")) {
                Path dir = out.resolve("p1-e2" + suffix);
                System.out.printf("P1 E2: %d runs of a random search (%s) in %s%n", e2.runs().size(),
                        String.join(", ", e2.sweeps().stream().map(w -> w.name() + " " + w.runs()).toList()), dir);
                var summary = e2.run(dir, filter, ensemble, new TrainCommand.ProgressObserver(),
                        new MeasureProgress());
                System.out.println(summary.line());
                System.out.printf("report: %s (%.1f min so far)%n", summary.report(), (System.nanoTime() - t0) / 60e9);
            }
            if (experiments.contains("e3")) {
                Path dir = out.resolve("p1-e3" + suffix);
                System.out.printf("P1 E3: %d runs (parity n = %d, %s, %d seeds; measured every %d steps) in %s%n", e3.runs().size(),
                        e3.n(), e3.sweeps().stream().map(s -> s.steps() + " steps × wd " + s.weightDecays()).toList(), e3.seeds().size(),
                        e3.every(), dir);
                System.out.println("E3: " + DynamicsReport.line(e3.run(dir, set(steps), filter, ensemble, new TrainCommand.ProgressObserver())));
                System.out.printf("report: %s (%.1f min so far)%n", dir.resolve("report.html"), (System.nanoTime() - t0) / 60e9);
            }
            if (experiments.contains("e4")) {
                Path dir = out.resolve("p1-e4" + suffix);
                System.out.printf("P1 E4: %d runs (scratchpad parity × n %s × %d seeds) in %s%n", e4.runs().size(), e4.lengths(),
                        e4.seeds().size(), dir);
                var outcome = e4.run(dir, filter, ensemble, new TrainCommand.ProgressObserver(),
                        new MeasureProgress());
                System.out.println("E4: " + outcome.line());
                System.out.printf("report: %s (%.1f min so far)%n", dir.resolve("report.html"), (System.nanoTime() - t0) / 60e9);
            }
            if (experiments.contains("e5")) {
                Path dir = out.resolve("p1-e5" + suffix);
                System.out.printf("P1 E5: %d runs (random functions on n = %d, training sets of %s inputs), then refits, in %s%n",
                        e5.runs().size(), e5.n(), e5.trainSizes(), dir);
                System.out.println(e5.run(dir, filter, ensemble, new TrainCommand.ProgressObserver()).summary());
                System.out.printf("report: %s (%.1f min so far)%n", dir.resolve("report.html"), (System.nanoTime() - t0) / 60e9);
            }
        } catch (Diverged e) {
            System.err.println(e.getMessage());
            return 3;
        }
        return 0;
    }

    private static <T> Set<T> set(List<T> values) {
        return values == null ? null : new LinkedHashSet<>(values);
    }
}
