package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.biaslab.tensor.cuda.Cuda;
import org.biaslab.tensor.cuda.CudaException;
import org.biaslab.tensor.cuda.StreamCapture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CUDA graphs: replays give the eager results bit for bit (the same kernels in the same order), inputs copied in between
 * replays change them as eager runs would, forbidden operations fail while capturing without breaking the backend, and
 * the graph's blocks are its own until it closes. Runs only where a CUDA device is present (CI has none).
 */
class CudaGraphTest {
    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(Cuda.available(), () -> "skipped: no CUDA device (" + Cuda.unavailableReason() + ")");
        CudaGraph.prepare(); // eager GEMMs with the cuBLAS workspace the captures use
    }

    private static Tensor randn(long seed, int... dims) {
        return Tensor.randn(new Rng(seed), DType.F32, dims).to(Device.CUDA);
    }

    /** A small attention block's loss and its gradient in w: matmuls, fused attention, layer norm, GELU, reductions. */
    private static Tensor[] lossAndGradient(Tensor x, Tensor w, Tensor gamma, Tensor beta, Tensor seed) {
        Tensor h = x.matmul(w); // (B, T, d) x (d, d) -> (B, T, d)
        Tensor z = Tensor.attention(h, h, h, 2, 0.25, true).layerNorm(gamma, beta, 1e-5).gelu(); // (B, T, d)
        Tensor loss = z.mul(z).mean();
        return new Tensor[] {loss, Autograd.grad(loss, new Tensor[] {w}, seed, false)[0]};
    }

    private static Tensor parameter(long seed, int... dims) {
        return randn(seed, dims).mul(0.3).detach().requiresGrad(true);
    }

    @Test
    void replaysGiveTheEagerBitsForEachInput() {
        Tensor x = randn(1, 4, 6, 8), w = parameter(2, 8, 8), gamma = parameter(3, 8), beta = parameter(4, 8);
        Tensor seed = Tensor.scalar(DType.F32, 1).to(Device.CUDA);
        Tensor x1 = Tensor.randn(new Rng(11), DType.F32, 4, 6, 8), x2 = Tensor.randn(new Rng(12), DType.F32, 4, 6, 8);
        lossAndGradient(x, w, gamma, beta, seed); // kernels loaded before the capture
        Tensor[] out = new Tensor[2];
        try (CudaGraph g = CudaGraph.capture(() -> System.arraycopy(lossAndGradient(x, w, gamma, beta, seed), 0, out, 0, 2))) {
            Tensor[] eager1 = lossAndGradient(x1.to(Device.CUDA), w, gamma, beta, seed);
            Tensor[] eager2 = lossAndGradient(x2.to(Device.CUDA), w, gamma, beta, seed);
            float[] e1Loss = eager1[0].toFloatArray(), e1Grad = eager1[1].toFloatArray();

            CudaGraph.copy(x, x1);
            g.replay();
            assertArrayEquals(e1Loss, out[0].toFloatArray(), "loss, input 1");
            assertArrayEquals(e1Grad, out[1].toFloatArray(), "gradient, input 1");

            CudaGraph.copy(x, x2.to(Device.CUDA)); // from the GPU too
            g.replay();
            assertArrayEquals(eager2[0].toFloatArray(), out[0].toFloatArray(), "loss, input 2");
            assertArrayEquals(eager2[1].toFloatArray(), out[1].toFloatArray(), "gradient, input 2");
            assertFalse(java.util.Arrays.equals(e1Grad, out[1].toFloatArray()), "the second input changed the gradient");

            // tensors allocated between replays never share the graph's blocks: the replays leave them alone
            assertArrayEquals(e1Loss, eager1[0].toFloatArray(), "an eager result after the replays");
            assertArrayEquals(e1Grad, eager1[1].toFloatArray(), "an eager result after the replays");
        }
    }

    /** The Hessian-vector product as CurvatureOperator takes it: a double backward through a kept gradient graph. */
    @Test
    void aCapturedHessianVectorProductGivesTheEagerBits() {
        Tensor x = randn(1, 4, 6, 8), w = parameter(2, 8, 8), gamma = parameter(3, 8), beta = parameter(4, 8);
        Tensor[] params = {w, gamma, beta};
        Tensor h = x.matmul(w);
        Tensor z = Tensor.attention(h, h, h, 2, 0.25, true).layerNorm(gamma, beta, 1e-5).tanh();
        Tensor[] grad;
        try (var on = GradMode.on()) {
            grad = Autograd.grad(z.mul(z).mean(), params, null, true);
        }
        Tensor[] v = {randn(5, 8, 8), randn(6, 8), randn(7, 8)};
        Tensor[] v1 = {randn(15, 8, 8), randn(16, 8), randn(17, 8)};
        Tensor[] v2 = {randn(25, 8, 8), randn(26, 8), randn(27, 8)};
        java.util.function.Function<Tensor[], Tensor[]> hvp = u -> {
            try (var on = GradMode.on()) {
                return Autograd.grad(grad, u, params, false, true);
            }
        };
        hvp.apply(v);
        Tensor[][] out = new Tensor[1][];
        try (CudaGraph g = CudaGraph.capture(() -> out[0] = hvp.apply(v))) {
            for (Tensor[] u : new Tensor[][] {v1, v2}) {
                Tensor[] eager = hvp.apply(u);
                for (int i = 0; i < v.length; i++) CudaGraph.copy(v[i], u[i]);
                g.replay();
                for (int i = 0; i < v.length; i++) assertArrayEquals(eager[i].toFloatArray(), out[0][i].toFloatArray(), "H v, parameter " + i);
            }
        }
    }

    @Test
    void aCopyToTheHostFailsTheCaptureAndLeavesTheBackendUsable() {
        Tensor x = randn(1, 64);
        float[] expected = x.mul(2.0).toFloatArray();
        CudaException e = assertThrows(CudaException.class, () -> CudaGraph.capture(() -> x.mul(2.0).toFloatArray()));
        assertTrue(e.getMessage().startsWith("CUDA graph capture: a copy to the host cannot be captured"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertFalse(StreamCapture.active());
        assertFalse(StreamCapture.streamCapturing(), "the stream captures no more");
        assertArrayEquals(expected, x.mul(2.0).toFloatArray(), "eager work runs again");

        e = assertThrows(CudaException.class, () -> CudaGraph.capture(() -> x.add(Tensor.randn(new Rng(3), DType.F32, 64))));
        assertTrue(e.getMessage().startsWith("CUDA graph capture: a copy from the host cannot be captured"), e.getMessage());
        e = assertThrows(CudaException.class, () -> CudaGraph.capture(Cuda::synchronize));
        assertTrue(e.getMessage().startsWith("CUDA graph capture: waiting for the GPU cannot be captured"), e.getMessage());
        assertArrayEquals(expected, x.mul(2.0).toFloatArray(), "eager work runs again");
    }

    @Test
    void anotherThreadCannotQueueWorkWhileAGraphIsCaptured() throws InterruptedException {
        Tensor x = randn(1, 64);
        float[] expected = x.mul(3.0).toFloatArray(); // the kernel loaded before the capture
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Tensor[] out = new Tensor[1];
        try (CudaGraph g = CudaGraph.capture(() -> {
            Thread other = new Thread(() -> {
                try {
                    x.add(x);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            other.start();
            try {
                other.join();
            } catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
            out[0] = x.mul(3.0);
        })) {
            assertNotNull(failure.get(), "the other thread's kernel was refused");
            assertTrue(failure.get().getMessage().contains("queued GPU work while"), failure.get().getMessage());
            g.replay();
            assertArrayEquals(expected, out[0].toFloatArray());
        }
    }

    /** Collects until the allocator's bytes in use stop changing, and returns them. */
    private static long settledBytesInUse() throws InterruptedException {
        long last = -1, now = Cuda.allocator().bytesInUse();
        for (int i = 0; i < 50 && now != last; i++) {
            System.gc();
            Thread.sleep(40);
            last = now;
            now = Cuda.allocator().bytesInUse();
        }
        return now;
    }

    @Test
    void theGraphOwnsItsBlocksUntilItCloses() throws InterruptedException {
        Tensor x = randn(1, 256, 256);
        Tensor[] out = new Tensor[1];
        x.tanh().mul(x).sum().toFloatArray();
        long before = settledBytesInUse();
        CudaGraph g = CudaGraph.capture(() -> out[0] = x.tanh().mul(x).sum()); // two (256, 256) intermediates, then one value
        assertTrue(g.bytes() >= 2L * 256 * 256 * 4, g.bytes() + " bytes captured");
        out[0] = null; // nothing outside the graph refers to its tensors now
        assertTrue(settledBytesInUse() >= before + g.bytes(), "the graph keeps its blocks");
        g.replay();
        g.close();
        long after = Long.MAX_VALUE;
        for (int i = 0; i < 100 && after > before; i++) after = settledBytesInUse();
        assertTrue(after <= before, "closed: " + after + " bytes in use, " + before + " before the capture");
        assertThrows(IllegalStateException.class, g::replay);
    }
}
