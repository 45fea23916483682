package org.biaslab.cli;

import java.nio.file.Path;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.experiment.p2.Finding;
import org.biaslab.experiment.p2.Observer;
import org.biaslab.experiment.p2.P2Report;
import org.biaslab.experiment.p2.Reproduction;
import org.biaslab.tensor.Device;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reproduce p2}'s image-data options and its run: the ViT sweep, the pretrained encoders (on the command's
 * {@code --corpus}), the simplified layer, the report.
 */
final class P2Options {
    @Option(names = "--mnist", paramLabel = "DIR", description = "p2: MNIST's IDX files (default ~/.cache/biaslab/mnist/package/data)")
    Path mnist = Reproduction.Inputs.MNIST;

    @Option(names = "--fashion-mnist", paramLabel = "DIR", arity = "0..1", fallbackValue = "",
            description = "p2: also train on Fashion-MNIST (DIR default ~/.cache/biaslab/fashion-mnist/usr/share/datasets/fashion-mnist)")
    String fashionMnist;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Runs P2 ({@code experiments} as given, all parts when the option was not given); returns the exit code. */
    int run(boolean quick, Path out, List<String> experiments, Path corpus, String device) throws java.io.IOException {
        List<String> parts = spec.commandLine().getParseResult().hasMatchedOption("--experiments") ? experiments : Reproduction.PARTS;
        Path fashion = fashionMnist == null ? null : fashionMnist.isEmpty() ? Reproduction.Inputs.FASHION_MNIST : Path.of(fashionMnist);
        Reproduction.Inputs inputs = new Reproduction.Inputs(mnist, fashion, corpus);
        Reproduction.check(parts, inputs);
        Reproduction p2 = (quick ? Reproduction.quick() : Reproduction.full()).withDevice(Device.parse(device));
        Path dir = out.resolve("p2" + (quick ? "-quick" : ""));
        System.out.printf("P2: %s in %s (ViTs: depths %s, training fractions %s, seeds %s, %d epochs; pretrained: %s; simplified layer: %d draws per variant)%n",
                String.join(", ", parts), dir, p2.vit().depths(), p2.vit().fractions(), p2.vit().seeds(), p2.vit().epochs(),
                String.join(", ", p2.pretrained().models()), p2.simplified().draws());
        long t0 = System.nanoTime();
        P2Report.Outcome outcome = p2.run(dir, parts, inputs, new Bars());
        for (Finding f : outcome.findings()) System.out.printf("  %s (%s): %s%n", f.claim(), f.source(), f.verdict().words());
        System.out.println(outcome.line());
        System.out.printf("report: %s (%.1f min)%n", outcome.report(), (System.nanoTime() - t0) / 60e9);
        return 0;
    }

    /** Progress bars on stderr, lines on stdout. */
    private static final class Bars implements Observer {
        @Override
        public Task start(String name, long units, long from) {
            ProgressBar bar = Progress.bar(name, units);
            bar.stepTo(from);
            return new Task() {
                @Override
                public void done(long u, String note) {
                    bar.stepTo(u);
                    bar.setExtraMessage(note);
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        }

        @Override
        public void say(String line) {
            System.out.println(line);
        }
    }
}
