package org.biaslab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.biaslab.report.Charts.Point;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.knowm.xchart.XYChart;

/**
 * The report of many runs (a sweep): P1's E1 figures — each measured quantity against the input length n, runs as
 * dots with mean ± 2 sd per function (sharpness, blowup, norm, and where measured the Hessian's top eigenvalue and
 * trace) — with the linear regression of the quantity on n per function (slope, r, p),
 * P1's E2 tradeoff (parameter norm against LayerNorm blowup, log x) when both are measured, and a table of the runs.
 * Only converged runs enter (summary eval/loss &lt; 0.001, P1's filter); the others are counted in the exclusions. A
 * report can hold several sweeps ({@link Part}), each with its own figures.
 */
public final class SweepReport {
    /** P1's run filter (docs/papers.md §P1.9.0). */
    public static final double CONVERGED_EVAL_LOSS = 1e-3;
    /** P1's {@code eval_steps}: the filter's eval loss is the mean over this many fresh batches after training. */
    public static final int P1_EVAL_BATCHES = 1000;

    /** A quantity plotted against n: its key in measurements.json, else in summary.json; its axis label and scale. */
    private record Quantity(String key, String summaryKey, String label, String file, boolean logY) {}

    private static final List<Quantity> QUANTITIES = List.of(
            new Quantity("measure/sharpness_x4", null, "Sharpness (×4)", "sharpness", false),
            new Quantity("measure/blowup_encoder_maxs_prod", null, "LayerNorm blowup", "blowup", true),
            new Quantity("measure/param_norm", "param_norm", "Parameter norm", "param_norm", false),
            new Quantity("measure/hessian_top_eigenvalue", null, "Top Hessian eigenvalue", "hessian_top_eigenvalue", false),
            new Quantity("measure/hessian_trace", null, "Hessian trace", "hessian_trace", false));
    private static final int LISTED = 20;

    private SweepReport() {}

    /** The run directories directly under {@code parent} (those holding a config.json), sorted by name. */
    public static List<Path> runDirs(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(RunDir::isRun).sorted().toList();
        }
    }

    /**
     * Writes {@code parent/report.html} (charts under {@code parent/plots/}) for {@code runDirs} and returns its path.
     *
     * @param excluded what the caller already left out and why (e.g. runs that failed); shown with the report's own
     */
    public static Path write(Path parent, List<Path> runDirs, String title, List<String> excluded) throws IOException {
        return writeParts(parent, List.of(new Part(null, "", runDirs)), title, excluded);
    }

    /**
     * The runs of one sweep in a report of several (P1's E1: n up to 30, and n up to 512 with a small model), drawn in
     * figures of their own.
     *
     * @param heading the sweep's section heading, or null in a report of one sweep
     * @param suffix  appended to its figure files ({@code plots/e1_sharpness<suffix>.svg}, …)
     * @param runDirs its run directories, anywhere below the report's directory
     */
    public record Part(String heading, String suffix, List<Path> runDirs) {}

    /**
     * The runs of a part, sorted by what happened to them. {@code unmeasured}: converged runs that {@link #unmeasured}
     * sets apart; they stay out of the figures, since their measured quantities are missing.
     */
    private record Sorted(Part part, List<RunFiles> converged, List<RunFiles> unfinished, List<RunFiles> diverged,
                          List<RunFiles> unmeasured) {}

    /**
     * Writes {@code parent/report.html} for several sweeps, each part with its own figures, regressions, tradeoff and
     * shared configuration, then one table of all converged runs; returns its path.
     */
    public static Path writeParts(Path parent, List<Part> parts, String title, List<String> excluded) throws IOException {
        List<String> exclusions = new ArrayList<>(excluded);
        List<Sorted> sorted = new ArrayList<>();
        for (Part part : parts) {
            String prefix = part.heading() == null ? "" : part.heading() + ": ";
            Sorted s = new Sorted(part, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (Path dir : part.runDirs()) {
                RunFiles run;
                try {
                    run = RunFiles.read(dir);
                } catch (IOException | IllegalArgumentException e) {
                    exclusions.add(prefix + dir.getFileName() + ": unreadable (" + e.getMessage() + ")");
                    continue;
                }
                if (!run.finished()) s.unfinished().add(run);
                else if (!converged(run)) s.diverged().add(run);
                else s.converged().add(run);
            }
            s.unmeasured().addAll(unmeasured(s.converged()));
            s.converged().removeAll(s.unmeasured());
            if (!s.unfinished().isEmpty()) {
                exclusions.add(prefix + listed(s.unfinished().size() + " runs have not finished (no summary.json)", s.unfinished()));
            }
            if (!s.unmeasured().isEmpty()) {
                exclusions.add(prefix + listed(s.unmeasured().size() + " converged runs are not measured yet (no measurements.json)",
                        s.unmeasured()));
            }
            if (!s.diverged().isEmpty()) {
                exclusions.add(prefix + listed(s.diverged().size() + " runs did not converge (summary eval/loss ≥ " + CONVERGED_EVAL_LOSS
                        + ", P1's filter)", s.diverged()));
            }
            sorted.add(s);
        }
        List<RunFiles> runs = sorted.stream().flatMap(s -> s.converged().stream()).toList();
        int dirs = parts.stream().mapToInt(p -> p.runDirs().size()).sum();

        Path plots = parent.resolve("plots");
        HtmlReport html = new HtmlReport(title);
        html.section("Runs");
        List<RunConfig> evaluated = sorted.stream().flatMap(s -> Stream.concat(s.converged().stream(), s.diverged().stream()))
                .map(RunFiles::config).toList();
        html.paragraph(dirs + " run directories; " + runs.size() + " converged runs enter the figures and tables. " + filter(evaluated));
        List<String> header = new ArrayList<>(List.of("function", "runs", "lengths n"));
        if (parts.size() > 1) header.addFirst("sweep");
        List<List<String>> counts = new ArrayList<>();
        for (Sorted s : sorted) {
            byTask(s.converged()).forEach((task, rs) -> {
                List<String> row = new ArrayList<>(List.of(task, Integer.toString(rs.size()), lengths(rs)));
                if (parts.size() > 1) row.addFirst(s.part().heading());
                counts.add(row);
            });
        }
        html.table(header, counts);
        for (Sorted s : sorted) convergedByLength(html, s);

        RunReport.writeMissing(runs.stream().map(RunFiles::dir).toList());
        for (Sorted s : sorted) {
            String in = s.part().heading() == null ? "" : " (" + s.part().heading() + ")";
            for (Quantity q : QUANTITIES) {
                Map<String, List<Point>> groups = points(s.converged(), q);
                if (groups.isEmpty()) continue;
                String file = "e1_" + q.file() + s.part().suffix();
                html.section(q.label() + " against input length" + in);
                XYChart chart = Charts.meanAndSpread(q.label() + " vs length", "Sequence length n", q.label(), groups, q.logY());
                html.figure(Figure.of(chart).save(plots, file), q.label() + " (" + q.key() + ") against n: "
                        + "each converged run as a dot, the mean per n as a line, dashed lines at mean ± 2 sd where at least " + Charts.MIN_RUNS_FOR_SPREAD + " runs share n (cut at 0 for a quantity that cannot be negative)"
                        + (q.logY() ? "; " + Charts.LOG_AXIS + "." : "."), "plots/" + file + ".svg");
                html.interactive(interactive(parent, s.converged(), q));
                html.table(List.of("function", "slope", "intercept", "r", "p", "runs"), regressions(groups));
            }
            tradeoff(html, s.converged(), plots, s.part().suffix(), in);
        }

        html.section("Converged runs");
        List<String> columns = new ArrayList<>(List.of("run", "function", "n", "seed", "eval/loss", "eval/accuracy"));
        QUANTITIES.forEach(q -> columns.add(q.label()));
        html.table(columns, runs.stream().map(r -> row(parent, r)).toList());

        html.section("Configuration");
        for (Sorted s : sorted) {
            int total = s.part().runDirs().size();
            String lead = s.part().heading() == null ? "Fields" : s.part().heading() + ": fields";
            html.paragraph(lead + " shared by all runs (those that vary: " + String.join(", ", varying(s.converged(), total)) + "):");
            html.preformatted(shared(s.converged()).toPrettyString());
        }
        html.exclusions(exclusions);
        Path file = parent.resolve("report.html");
        html.write(file);
        return file;
    }

    /** "3 of the grid's 6 runs not started (run the other slices)": a report's line for the runs of slices still to run. */
    public static String notStarted(int missing, int total, String grid) {
        return missing + " of the " + grid + "'s " + total + " runs not started (run the other slices)";
    }

    /**
     * P1's filter in words with the evaluation it reads, from the configs of the runs it was applied to, e.g.
     * "Converged: eval MSE < 0.001 over 4 fresh eval batches after the last step (P1 evaluates over 1000; fewer make
     * the filter noisier), P1's filter."
     */
    public static String filter(List<RunConfig> runs) {
        TreeSet<Integer> batches = new TreeSet<>();
        runs.forEach(c -> batches.add(c.evalBatches()));
        String over = batches.isEmpty() ? "" : " over " + String.join(" or ", batches.stream().map(String::valueOf).toList())
                + " fresh eval batches after the last step";
        String fewer = !batches.isEmpty() && batches.first() < P1_EVAL_BATCHES ? " (P1 evaluates over " + P1_EVAL_BATCHES
                + "; fewer make the filter noisier)" : "";
        return "Converged: eval MSE < " + CONVERGED_EVAL_LOSS + over + fewer + ", P1's filter.";
    }

    /**
     * A quantity against n as an interactive chart: a point per run whose tooltip gives its name, config and value,
     * linking to the run's own report.
     */
    private static InteractiveChart interactive(Path parent, List<RunFiles> runs, Quantity q) {
        TreeMap<String, List<InteractiveChart.Mark>> byTask = new TreeMap<>();
        for (RunFiles r : runs) {
            OptionalDouble v = r.value(q.key(), q.summaryKey());
            if (v.isEmpty()) continue;
            RunConfig c = r.config();
            String tip = String.format(java.util.Locale.ROOT, "%s%n%s = %s%ntask %s, n %d, seed %d%nlr %s, weight decay %s, d %d, %d layers, %d steps",
                    r.name(), q.label(), Numbers.format(v.getAsDouble()), r.task(), c.n(), c.seed(), Numbers.format(c.lr()),
                    Numbers.format(c.weightDecay()), c.d(), c.layers(), c.steps());
            byTask.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(new InteractiveChart.Mark(c.n(), v.getAsDouble(), tip,
                    path(parent, r) + "/report.html"));
        }
        List<InteractiveChart.Group> groups = new ArrayList<>();
        byTask.forEach((task, marks) -> groups.add(new InteractiveChart.Group(task, marks, InteractiveChart.Draw.POINTS)));
        return new InteractiveChart(q.label() + " vs length (interactive: hover, toggle, zoom, click a run)", "Sequence length n",
                q.label(), false, q.logY(), groups);
    }

    /**
     * One line for the console: runs converged of all, and per function the slope of sharpness (×4) on n with its p
     * (P1's finding: positive and significant for PARITY, about 0 for the others).
     */
    public static String summary(List<Path> runDirs) throws IOException {
        return summary("E1", runDirs);
    }

    /** {@link #summary(List)} led by {@code label} instead of "E1". */
    public static String summary(String label, List<Path> runDirs) throws IOException {
        List<RunFiles> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            RunFiles r = RunFiles.read(dir);
            if (r.finished() && converged(r)) runs.add(r);
        }
        int unmeasured = unmeasured(runs).size();
        StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "%s: %d of %d runs converged", label, runs.size(), runDirs.size()));
        if (unmeasured > 0) line.append(" (").append(unmeasured).append(" not measured yet)");
        Map<String, List<Point>> groups = points(runs, QUANTITIES.get(0));
        if (!groups.isEmpty()) line.append("; sharpness slope per unit n:");
        groups.forEach((task, pts) -> {
            if (pts.stream().map(Point::x).distinct().count() < 2) return;
            Regression reg = Regression.fit(pts.stream().mapToDouble(Point::x).toArray(), pts.stream().mapToDouble(Point::y).toArray());
            line.append(' ').append(task).append(' ').append(Numbers.format(reg.slope())).append(" (p ").append(Numbers.p(reg.p())).append(')');
        });
        return line.toString();
    }

    /**
     * The converged runs without a measurements.json where others have one (a slice cut off while measuring); none
     * where no run was measured (the `report` command over plain training runs reads the summaries instead).
     */
    private static List<RunFiles> unmeasured(List<RunFiles> converged) {
        if (converged.stream().allMatch(r -> r.measurements().isEmpty())) return List.of();
        return converged.stream().filter(r -> r.measurements().isEmpty()).toList();
    }

    private static boolean converged(RunFiles run) {
        return run.summary().get("eval/loss") instanceof Number loss && loss.doubleValue() < CONVERGED_EVAL_LOSS;
    }

    /** A reason with the first run names. */
    private static String listed(String reason, List<RunFiles> runs) {
        String names = String.join(", ", runs.stream().limit(LISTED).map(RunFiles::name).toList());
        return reason + ": " + names + (runs.size() > LISTED ? ", …" : "");
    }

    private static TreeMap<String, List<RunFiles>> byTask(List<RunFiles> runs) {
        TreeMap<String, List<RunFiles>> out = new TreeMap<>();
        for (RunFiles r : runs) out.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(r);
        return out;
    }

    private static String lengths(List<RunFiles> runs) {
        TreeSet<Integer> ns = new TreeSet<>();
        runs.forEach(r -> ns.add(r.config().n()));
        return ns.size() <= 6 ? String.join(", ", ns.stream().map(String::valueOf).toList())
                : ns.first() + " … " + ns.last() + " (" + ns.size() + " values)";
    }

    /**
     * A table of the runs that passed P1's filter out of those finished, per length and function: the figures show
     * converged runs only, so where few converge the mean at that n rests on few runs.
     */
    private static void convergedByLength(HtmlReport html, Sorted s) {
        TreeMap<Integer, TreeMap<String, int[]>> cells = new TreeMap<>(); // n -> function -> {passed, finished}
        TreeSet<String> tasks = new TreeSet<>();
        for (List<RunFiles> group : List.of(s.converged(), s.unmeasured(), s.diverged())) {
            boolean passed = group != s.diverged();
            for (RunFiles r : group) {
                tasks.add(r.task());
                int[] c = cells.computeIfAbsent(r.config().n(), k -> new TreeMap<>()).computeIfAbsent(r.task(), k -> new int[2]);
                if (passed) c[0]++;
                c[1]++;
            }
        }
        if (cells.size() < 2) return;
        html.paragraph("Converged of finished runs by length" + (s.part().heading() == null ? "" : " (" + s.part().heading() + ")") + ":");
        List<String> header = new ArrayList<>(List.of("n"));
        header.addAll(tasks);
        List<List<String>> rows = new ArrayList<>();
        cells.forEach((n, byTask) -> {
            List<String> row = new ArrayList<>(List.of(Integer.toString(n)));
            for (String t : tasks) {
                int[] c = byTask.get(t);
                row.add(c == null ? "—" : c[0] + " of " + c[1]);
            }
            rows.add(row);
        });
        html.table(header, rows);
    }

    /** The runs' values of a quantity against n, per function; functions without any value are left out. */
    private static Map<String, List<Point>> points(List<RunFiles> runs, Quantity q) {
        TreeMap<String, List<Point>> out = new TreeMap<>();
        for (RunFiles r : runs) {
            OptionalDouble v = r.value(q.key(), q.summaryKey());
            if (v.isPresent()) out.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(new Point(r.config().n(), v.getAsDouble()));
        }
        return out;
    }

    /** The regression of the value on n per function, as P1 prints with scipy.stats.linregress. */
    private static List<List<String>> regressions(Map<String, List<Point>> groups) {
        List<List<String>> rows = new ArrayList<>();
        groups.forEach((task, pts) -> {
            double[] x = pts.stream().mapToDouble(Point::x).toArray(), y = pts.stream().mapToDouble(Point::y).toArray();
            if (pts.stream().map(Point::x).distinct().count() < 2) {
                rows.add(List.of(task, "—", "—", "—", "—", pts.size() + " (one length: no regression)"));
                return;
            }
            Regression reg = Regression.fit(x, y);
            rows.add(List.of(task, Numbers.format(reg.slope()), Numbers.format(reg.intercept()), Numbers.format(reg.r()),
                    Numbers.p(reg.p()), Integer.toString(reg.n())));
        });
        return rows;
    }

    /** P1's E2: parameter norm against LayerNorm blowup (log x), one panel per length when there are at most four. */
    private static void tradeoff(HtmlReport html, List<RunFiles> runs, Path plots, String suffix, String in) throws IOException {
        Quantity blowup = QUANTITIES.get(1), norm = QUANTITIES.get(2);
        TreeMap<Integer, Map<String, List<Point>>> byLength = new TreeMap<>();
        for (RunFiles r : runs) {
            OptionalDouble b = r.value(blowup.key(), blowup.summaryKey()), w = r.value(norm.key(), norm.summaryKey());
            if (b.isEmpty() || w.isEmpty()) continue;
            byLength.computeIfAbsent(r.config().n(), k -> new TreeMap<>()).computeIfAbsent(r.task(), k -> new ArrayList<>())
                    .add(new Point(b.getAsDouble(), w.getAsDouble()));
        }
        if (byLength.isEmpty()) return;
        List<XYChart> panels = new ArrayList<>();
        if (byLength.size() <= 4) {
            byLength.forEach((n, groups) -> panels.add(Charts.scatter("n = " + n, blowup.label(), norm.label(), groups, true, false)));
        } else {
            TreeMap<String, List<Point>> all = new TreeMap<>();
            byLength.values().forEach(g -> g.forEach((task, pts) -> all.computeIfAbsent(task, k -> new ArrayList<>()).addAll(pts)));
            panels.add(Charts.scatter("all lengths", blowup.label(), norm.label(), all, true, false));
        }
        html.section("Parameter norm against LayerNorm blowup" + in);
        html.figure(Figure.grid(2, panels).save(plots, "e2_tradeoff" + suffix), "P1's E2 tradeoff: parameter norm against LayerNorm "
                + "blowup (" + Charts.LOG_AXIS + "), one diamond per converged run, "
                + (byLength.size() <= 4 ? "one panel per length." : "all lengths in one panel."), "plots/e2_tradeoff" + suffix + ".svg");
    }

    private static List<String> row(Path parent, RunFiles r) {
        List<String> row = new ArrayList<>(List.of(path(parent, r), r.task(), Integer.toString(r.config().n()),
                Long.toString(r.config().seed()), Numbers.format(r.summary().get("eval/loss")),
                Numbers.format(r.summary().getOrDefault("eval/accuracy", "—"))));
        for (Quantity q : QUANTITIES) {
            OptionalDouble v = r.value(q.key(), q.summaryKey());
            row.add(v.isPresent() ? Numbers.format(v.getAsDouble()) : "—");
        }
        return row;
    }

    /** A run's directory relative to the report's, with forward slashes (a link, a name in the tables). */
    private static String path(Path parent, RunFiles r) {
        return parent.toAbsolutePath().normalize().relativize(r.dir().toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    /** The config fields with one value across the runs. */
    private static ObjectNode shared(List<RunFiles> runs) {
        ObjectNode out = RunFiles.JSON.createObjectNode();
        if (runs.isEmpty()) return out;
        runs.getFirst().configTree().properties().forEach(e -> {
            if (runs.stream().allMatch(r -> e.getValue().equals(r.configTree().get(e.getKey())))) out.set(e.getKey(), e.getValue());
        });
        return out;
    }

    /** Numbers in numeric order, before other text. */
    private static int byValue(String a, String b) {
        boolean na = a.matches("-?[0-9.eE+-]+"), nb = b.matches("-?[0-9.eE+-]+");
        if (na && nb) {
            int c = Double.compare(Double.parseDouble(a), Double.parseDouble(b));
            if (c != 0) return c;
        } else if (na != nb) {
            return na ? -1 : 1;
        }
        return a.compareTo(b);
    }

    /** The config fields that differ between runs, with their values (a few) or their count. */
    private static List<String> varying(List<RunFiles> runs, int total) {
        if (runs.isEmpty()) return List.of("none: no converged runs of " + total);
        List<String> out = new ArrayList<>();
        runs.getFirst().configTree().properties().forEach(e -> {
            TreeSet<String> values = new TreeSet<>(SweepReport::byValue);
            for (RunFiles r : runs) {
                JsonNode v = r.configTree().get(e.getKey());
                values.add(v == null ? "null" : v.asText());
            }
            if (values.size() > 1) {
                out.add(e.getKey() + (values.size() <= 5 ? " (" + String.join(", ", values) + ")" : " (" + values.size() + " values)"));
            }
        });
        return out.isEmpty() ? List.of("none") : out;
    }
}
