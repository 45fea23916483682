package org.biaslab.tensor;

import org.biaslab.tensor.cuda.Cuda;

/**
 * The precision of float32 GEMMs on the GPU. Exact float32 by default; with {@link #setTrainingTf32} (the CLI's
 * {@code --tf32}) the training steps, each inside a {@link #trainingStep} scope, run their GEMMs on TF32 tensor cores
 * (10-bit mantissa; 1.3–1.8× faster steps for P3's language model on an H200), while evaluation and measurements,
 * outside those scopes, stay exact. {@code -Dbiaslab.cuda.tf32=true} makes every GEMM TF32. The CPU has nothing to switch.
 */
public final class Precision {
    private static volatile boolean trainingTf32;

    private Precision() {}

    /** A scope whose close restores exact float32 GEMMs. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NOTHING = () -> {};

    /** Whether training steps on the GPU use TF32 from now on. */
    public static void setTrainingTf32(boolean on) {
        trainingTf32 = on;
    }

    /** Whether training steps on the GPU use TF32. */
    public static boolean trainingTf32() {
        return trainingTf32;
    }

    /** Opens one training step: TF32 GEMMs on {@code device} until the scope closes when asked for and the device is CUDA. */
    public static Scope trainingStep(Device device) {
        if (!trainingTf32 || device != Device.CUDA || Cuda.tf32()) return NOTHING;
        Cuda.setTf32(true);
        return () -> Cuda.setTf32(false);
    }
}
