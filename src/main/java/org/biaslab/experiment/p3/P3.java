package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.biaslab.tensor.Device;

/**
 * Merrill et al. 2021 reproduced (papers.md §P3.4): four parts, each resumable, one report page.
 * <ul>
 *   <li>{@code lm}: norm growth and saturation of trained language models ({@link NormGrowth});</li>
 *   <li>{@code grid}: the change of the norm over a learning-rate × weight-decay grid ({@link LrWdGrid});</li>
 *   <li>{@code pretrained}: pretrained encoders against their random initialisations ({@link PretrainedSaturation});</li>
 *   <li>{@code homogeneity}: similarity at scale c to scale 1000 of random-init LMs ({@link HomogeneityCurves}).</li>
 * </ul>
 * {@link #run} computes the selected parts that have no result yet and then writes {@code report.html} from every
 * result on disk ({@link P3Report}).
 */
public record P3(NormGrowth lm, LrWdGrid grid, PretrainedSaturation pretrained, HomogeneityCurves homogeneity) {
    /** The parts, in the order they run. */
    public static final List<String> PARTS = List.of("lm", "grid", "pretrained", "homogeneity");

    /** The one command that fetches the King James Bible into {@link #defaultCorpus()} (docs/lm.md, "Getting a corpus"). */
    public static final String FETCH_KJV = "mkdir -p ~/.cache/biaslab/kjv && cd ~/.cache/biaslab/kjv && apt-get download bible-kjv bible-kjv-text"
            + " && dpkg-deb -x bible-kjv_*.deb x && dpkg-deb -x bible-kjv-text_*.deb x"
            + " && x/usr/bin/bible -p x/usr/lib -l100000 'gen1:1-rev22:21' > raw.txt"
            + " && awk 'length($0)>0' raw.txt | awk '/^  *[0-9]+ /{sub(/^ *[0-9]+ /,\"\"); print; next} {print \"= \" $0 \" =\"}' > kjv.txt";

    /** Progress and news of a reproduction. */
    public interface Observer {
        /** {@code done} of {@code total} units of {@code task} (a progress bar: new task, new bar; done at total). */
        void progress(String task, long done, long total, String note);

        /** A line of news (a part's time, a model skipped). */
        void say(String line);

        /** Says nothing. */
        Observer SILENT = new Observer() {
            @Override
            public void progress(String task, long done, long total, String note) {}

            @Override
            public void say(String line) {}
        };
    }

    /** What a reproduction did: the report, each part's wall time when it ran now, and the findings. */
    public record Summary(Path report, Map<String, Double> seconds, List<P3Report.Finding> findings) {
        /** One line: how many findings reproduced, and what was found for those that did not. */
        public String line() {
            if (findings.isEmpty()) return "P3: no results yet";
            List<String> failed = new ArrayList<>();
            for (P3Report.Finding f : findings) if (!f.reproduced()) failed.add(f.claim() + " (" + f.here() + ")");
            return String.format(Locale.ROOT, "P3: %d of %d findings reproduced%s", findings.size() - failed.size(), findings.size(),
                    failed.isEmpty() ? "" : "; not reproduced: " + String.join("; ", failed));
        }
    }

    /** The King James Bible where docs/lm.md puts it: {@code ~/.cache/biaslab/kjv/kjv.txt}. */
    public static Path defaultCorpus() {
        return Path.of(System.getProperty("user.home"), ".cache", "biaslab", "kjv", "kjv.txt");
    }

    /** A one-line error naming the missing corpus and the command that fetches the KJV. */
    public static void requireCorpus(Path corpus) {
        if (!Files.isRegularFile(corpus)) {
            throw new IllegalArgumentException("no corpus at " + corpus + "; pass --corpus FILE or fetch the KJV with: " + FETCH_KJV);
        }
    }

    /**
     * A scale-down for two cores: the first ~1,500 verses of the corpus, tiny LMs (control, pre_norm, pre_ln, control+zero-mask × 2 seeds,
     * 5 epochs), a 5 × 5 grid of 20-step epochs, MiniLM on 32 lines, homogeneity of the small preset.
     */
    public static P3 quick(Path corpus) {
        String file = corpus.toAbsolutePath().normalize().toString();
        return new P3(NormGrowth.quick(file), LrWdGrid.quick(file), PretrainedSaturation.quick(file), HomogeneityCurves.quick());
    }

    /** The paper's scale: reference-size LMs on the whole corpus, the 20 × 20 grid, four encoders on 100 lines (a GPU job). */
    public static P3 full(Path corpus) {
        String file = corpus.toAbsolutePath().normalize().toString();
        return new P3(NormGrowth.full(file), LrWdGrid.full(file), PretrainedSaturation.full(file), HomogeneityCurves.full());
    }

    /** This reproduction with {@code overrides} (config field → value, e.g. {@code preset}) applied to the grid's runs. */
    public P3 withGrid(Map<String, Object> overrides) {
        return new P3(lm, grid.with(overrides), pretrained, homogeneity);
    }

    /** Checks part names against {@link #PARTS}. */
    public static void checkParts(List<String> parts) {
        for (String p : parts) {
            if (!PARTS.contains(p)) throw new IllegalArgumentException("unknown experiment '" + p + "' (p3: " + String.join(", ", PARTS) + ")");
        }
    }

    /**
     * Runs the selected {@code parts} (those already done are read back, not redone) in {@code dir} and writes
     * {@code dir/report.html} from all results there.
     */
    public Summary run(Path dir, List<String> parts, Device device, Observer observer) throws IOException {
        checkParts(parts);
        if (parts.contains("lm") || parts.contains("grid") || parts.contains("pretrained")) requireCorpus(Path.of(lm.base().corpus()));
        Files.createDirectories(dir);
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String part : PARTS) {
            if (!parts.contains(part)) continue;
            long t0 = System.nanoTime();
            switch (part) {
                case "lm" -> lm.run(dir.resolve("lm"), device, observer);
                case "grid" -> grid.run(dir.resolve("grid"), device, observer);
                case "pretrained" -> pretrained.run(dir.resolve("pretrained"), observer);
                case "homogeneity" -> homogeneity.run(dir.resolve("homogeneity"), device, observer);
                default -> throw new IllegalStateException(part);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            seconds.put(part, s);
            observer.say(String.format(Locale.ROOT, "P3 %s: %.0f s", part, s));
        }
        List<P3Report.Finding> findings = P3Report.write(dir, this);
        return new Summary(dir.resolve("report.html"), seconds, findings);
    }
}
