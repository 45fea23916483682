package org.biaslab.cli;

import java.util.concurrent.Callable;
import org.biaslab.experiment.p3.LmLoss;
import org.biaslab.nn.Init;
import org.biaslab.nn.lm.LanguageModel;
import org.biaslab.nn.lm.LmConfig;
import org.biaslab.nn.lm.LmVariant;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Schedule;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code biaslab bench lm-step}: training steps of P3's language model (AdamW, the masked next-token loss) on random
 * token batches without padding, in tokens per second, as {@code bench/p3/lm_step.py} times the same model in PyTorch.
 */
@Command(name = "lm-step", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time training steps of P3's language model: tokens/s (batch × length per step).")
public final class LmStepBenchCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "reference", description = "tiny, small or reference (P3's: 12 layers, d 768) (default ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--variant", defaultValue = "control", description = "control, pre_norm or pre_ln (default ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--vocab", defaultValue = "10000") int vocab;
    @Option(names = "--length", defaultValue = "64", description = "tokens per sequence (default ${DEFAULT-VALUE})") int length;
    @Option(names = "--batch", defaultValue = "16", description = "sequences per step (default ${DEFAULT-VALUE}, P3's)") int batch;
    @Option(names = "--members", defaultValue = "1", description = "seeds trained together as one ensemble (default ${DEFAULT-VALUE})") int members;
    @Option(names = "--steps", defaultValue = "20", description = "timed steps (default ${DEFAULT-VALUE})") int steps;
    @Option(names = "--warmup", defaultValue = "5", description = "untimed steps first (default ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE})") String device;
    @Option(names = "--tf32", description = "on the GPU, the training steps' GEMMs on TF32 tensor cores; evaluation and measurements stay exact float32 (default: exact)") boolean tf32;

    @Override
    public Integer call() {
        Device dev = Device.parse(device);
        Precision.setTrainingTf32(tf32);
        long[] seeds = new long[members];
        for (int e = 0; e < members; e++) seeds[e] = e;
        LanguageModel model = new LanguageModel(LmConfig.preset(preset, vocab, length, LmVariant.parse(variant)), Init.f32(seeds));
        model.to(dev);
        AdamW opt = new AdamW(model.namedParameters(), new AdamWConfig(1e-2, 0.9, 0.999, 1e-8, 0.01), Schedule.parse("constant", warmup + steps));
        System.out.printf("lm-step: %s %s, %,d parameters per member, %d member(s), batch %d × %d tokens, vocab %d, %s%n", preset, variant,
                model.parameterCount() / members, members, batch, length, vocab, device + (tf32 ? " (TF32 training steps)" : ""));
        Rng rng = new Rng(1);
        Tensor mask = Tensor.ofInts(filled(batch * length, 1), batch, length);
        long t0 = 0;
        double last = Double.NaN;
        for (int s = 0; s < warmup + steps; s++) {
            if (s == warmup) t0 = System.nanoTime();
            Tensor ids = Tensor.randint(rng, vocab, batch, length + 1); // inputs and their next tokens
            Tensor in = ids.slice(1, 0, length), target = ids.slice(1, 1, length + 1);
            Tensor losses;
            try (Precision.Scope ignored = Precision.trainingStep(dev)) { // as LmTraining's steps
                losses = LmLoss.batchLoss(model.forward(in.to(dev), null), target, mask, members); // (E)
                losses.sum().backward();
                opt.step();
                opt.zeroGrad();
            }
            last = losses.toDoubleArray()[0]; // reading the loss waits for the step, as training does when it logs
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%d steps in %.2f s: %.1f ms/step, %.0f tokens/s per member, %.0f model-tokens/s; loss %.3f%n", steps, seconds,
                1e3 * seconds / steps, (double) batch * length * steps / seconds, (double) batch * length * steps * members / seconds, last);
        return 0;
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
