package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.biaslab.tensor.Autograd;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.biaslab.tensor.cuda.Cuda;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * P1's training step (forward, MSE, backward) captured as a CUDA graph with its bits and targets on the GPU: each replay,
 * with a new batch copied in and the parameters changed in place in between (as AdamW does), gives the loss and
 * gradients of the eager step on the CPU-held batch bit for bit. Runs only where a CUDA device is present.
 */
class P1GraphTest {
    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(Cuda.available(), () -> "skipped: no CUDA device (" + Cuda.unavailableReason() + ")");
        CudaGraph.prepare(); // eager GEMMs with the cuBLAS workspace the captures use
    }

    private static Tensor loss(P1Transformer model, Tensor bits, Tensor y) {
        return model.forward(bits).sub(y).pow(2.0).mean(); // (E, B) -> ()
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void replayedStepsGiveTheEagerLossAndGradients(int members) {
        long[] seeds = new long[members];
        for (int e = 0; e < members; e++) seeds[e] = e;
        P1Transformer model = new P1Transformer(16, 2, 2, 16, Init.f32(seeds));
        model.to(Device.CUDA);
        Tensor[] params = model.namedParameters().values().toArray(Tensor[]::new);
        String[] names = model.namedParameters().keySet().toArray(String[]::new);
        int[] dims = members == 1 ? new int[] {8, 6} : new int[] {members, 8, 6};
        Rng rng = new Rng(42);
        Tensor[][] batches = new Tensor[3][];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = new Tensor[] {Tensor.randint(rng, 2, dims), Tensor.randint(rng, 2, java.util.Arrays.copyOf(dims, dims.length - 1)).to(DType.F32)};
        }
        Tensor bits = batches[0][0].to(Device.CUDA), y = batches[0][1].to(Device.CUDA);
        Tensor one = Tensor.scalar(DType.F32, 1).to(Device.CUDA);
        try (var off = GradMode.off()) {
            loss(model, bits, y).toDoubleArray(); // kernels loaded; the embeddings keep their GPU ids
        }
        Tensor[] captured = new Tensor[1];
        try (CudaGraph g = CudaGraph.capture(() -> {
            captured[0] = loss(model, bits, y);
            Autograd.backward(captured[0], one);
        })) {
            for (Tensor[] b : batches) {
                Tensor eagerLoss = loss(model, b[0], b[1]); // the batch on the CPU: the host's index path
                Tensor[] eager = Autograd.grad(eagerLoss, params, null, false);
                CudaGraph.copy(bits, b[0]);
                CudaGraph.copy(y, b[1]);
                g.replay();
                assertArrayEquals(eagerLoss.toFloatArray(), captured[0].toFloatArray(), "loss");
                for (int i = 0; i < params.length; i++) {
                    assertArrayEquals(eager[i].toFloatArray(), params[i].grad().toFloatArray(), names[i] + " gradient");
                }
                for (Tensor p : params) InPlace.scale(p, 0.9); // the next replay reads the parameters as they are then
            }
        }
    }
}
