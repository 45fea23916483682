package org.biaslab.cli;

import java.util.concurrent.Callable;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains a one-hidden-layer tanh network on n-bit PARITY with full-batch gradient descent and prints the loss. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a tiny MLP on n-bit PARITY with the engine and print its loss falling.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--n", description = "input bits (2..12, default ${DEFAULT-VALUE})", defaultValue = "4")
    int n;

    @Option(names = "--hidden", description = "hidden units (default ${DEFAULT-VALUE})", defaultValue = "32")
    int hidden;

    @Option(names = "--steps", description = "gradient steps (default ${DEFAULT-VALUE})", defaultValue = "400")
    int steps;

    @Option(names = "--lr", description = "learning rate (default ${DEFAULT-VALUE})", defaultValue = "0.1")
    double lr;

    @Option(names = "--seed", description = "initialisation seed (default ${DEFAULT-VALUE})", defaultValue = "0")
    long seed;

    @Override
    public Integer call() {
        if (n < 2 || n > 12) throw new IllegalArgumentException("--n must be between 2 and 12, got " + n);
        int rows = 1 << n;
        float[] xs = new float[rows * n], ys = new float[rows];
        for (int i = 0; i < rows; i++) {
            for (int b = 0; b < n; b++) xs[i * n + b] = ((i >> (n - 1 - b)) & 1) * 2 - 1;
            ys[i] = Integer.bitCount(i) % 2;
        }
        Tensor x = Tensor.of(xs, rows, n), y = Tensor.of(ys, rows, 1);
        Rng rng = new Rng(seed);
        Tensor[] params = {
                Tensor.randn(rng, DType.F32, n, hidden).mul(1 / Math.sqrt(n)).requiresGrad(true),
                Tensor.zeros(hidden).requiresGrad(true),
                Tensor.randn(rng, DType.F32, hidden, 1).mul(1 / Math.sqrt(hidden)).requiresGrad(true),
                Tensor.zeros(1).requiresGrad(true)};
        System.out.printf("PARITY on %d bits (%d inputs), MLP %d-%d-1 with tanh, full-batch gradient descent, lr %g%n",
                n, rows, n, hidden, lr);
        long start = System.nanoTime();
        for (int step = 0; step <= steps; step++) {
            // (2^n, n) @ (n, h) -> (2^n, h) -> tanh -> (2^n, h) @ (h, 1) -> (2^n, 1)
            Tensor out = x.matmul(params[0]).add(params[1]).tanh().matmul(params[2]).add(params[3]);
            Tensor loss = out.mse(y);
            if (step % Math.max(1, steps / 10) == 0 || step == steps) {
                double acc = out.gt(0.5).eq(y).mean().item();
                System.out.printf("step %5d   loss %.6f   accuracy %.3f%n", step, loss.item(), acc);
            }
            if (step == steps) break;
            loss.backward();
            try (var off = GradMode.off()) {
                for (int i = 0; i < params.length; i++) {
                    params[i] = params[i].sub(params[i].grad().mul(lr)).detach().requiresGrad(true);
                }
            }
        }
        System.out.printf("%d steps in %.2f s%n", steps, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
