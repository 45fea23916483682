package org.biaslab.tensor;

import java.util.List;
import org.biaslab.tensor.cuda.StreamCapture;

/**
 * The GPU work of a piece of code captured once as a CUDA graph and replayed with one launch: for fixed shapes, it
 * removes the per-op launch cost of small kernels (a Hessian-vector product of P1's model is about 313 of them).
 * <ul>
 * <li><b>Capture runs nothing.</b> {@link #capture} records the kernels, GEMMs and device copies its body queues; the
 * tensors the body returns hold their values only after a {@link #replay()}. Run the body once eagerly first, so that
 * kernels are loaded and lazily built state (a recorded gradient graph) exists.</li>
 * <li><b>Fixed at capture:</b> shapes, device addresses, and every value the host passed to a kernel (scalars such as
 * 1/n or a learning rate, bias corrections, which kernel runs). Only device memory can change between replays.</li>
 * <li><b>Inputs and outputs.</b> Copy new inputs into the tensors the body read with {@link #copy} before a replay; read
 * the tensors the body produced after it. Replays run in order on the one stream, so reading waits for the replay.</li>
 * <li><b>Forbidden while capturing</b>, each failing at once with one line and leaving the backend usable: copies
 * between host and device (reading a value, {@code to(Device)}, a CPU tensor of more than one element meeting a GPU
 * one), waiting for the GPU, and GPU work from another thread.</li>
 * <li><b>Memory.</b> The graph keeps every tensor storage its work touches, so no block it reads or writes goes back to
 * the allocator's cache while it can be replayed; {@link #close()} lets them go (they return when the collector finds
 * their tensors dead). Blocks are not reused within a capture: a graph holds all it allocated ({@link #bytes()}).</li>
 * </ul>
 */
public final class CudaGraph implements AutoCloseable {
    private long exec;
    /** The owners of the blocks the graph reads and writes, held only to keep them reachable until close. */
    private List<Object> held;
    private final long bytes;

    private CudaGraph(StreamCapture.Graph g) {
        this.exec = g.exec();
        this.held = g.held();
        this.bytes = g.bytes();
    }

    /**
     * Captures the GPU work {@code body} queues on this thread. When the body throws, the capture is dropped, the stream
     * runs work again, and the body's exception is rethrown; the state the body changed on the host (e.g. gradient
     * fields) then refers to tensors that were never computed.
     */
    public static CudaGraph capture(Runnable body) {
        StreamCapture.begin();
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            try {
                StreamCapture.abort();
            } catch (RuntimeException second) {
                e.addSuppressed(second);
            }
            throw e;
        }
        return new CudaGraph(StreamCapture.end());
    }

    /**
     * Readies the GPU for captures: waits for it and gives cuBLAS the workspace that every capture uses from then on.
     * The first capture does it anyway; call it first where eager results are to be compared bit for bit with replays.
     */
    public static void prepare() {
        StreamCapture.prepare();
    }

    /** Whether a graph is being captured now: code that would read a value back skips what it can (index checks). */
    public static boolean capturing() {
        return StreamCapture.active();
    }

    /** Queues one run of the captured work on the stream. */
    public void replay() {
        if (exec == 0) throw new IllegalStateException("CUDA graph: replay after close");
        StreamCapture.replay(exec);
    }

    /** Device bytes allocated while capturing: the graph's own blocks (its intermediates and outputs). */
    public long bytes() {
        return bytes;
    }

    /**
     * dst ← src on the stream, for a GPU tensor dst and a tensor src of the same shape and dtype on either device: how a
     * captured input gets its values for the next replay.
     */
    public static void copy(Tensor dst, Tensor src) {
        if (dst.device() != Device.CUDA) throw new IllegalArgumentException("CUDA graph copy: the destination is on the " + dst.device());
        if (!dst.shape().equals(src.shape()) || dst.dtype() != src.dtype()) {
            throw new IllegalArgumentException("CUDA graph copy: " + src.dtype() + " " + src.shape() + " into " + dst.dtype() + " " + dst.shape());
        }
        if (src.device() == Device.CPU) CudaTransfer.copyToDevice(src, dst);
        else Kernels.of(Device.CUDA).convert(src, dst);
    }

    /** Destroys the graph (a replay in flight finishes first) and lets its tensors' blocks return to the cache. */
    @Override
    public void close() {
        if (exec == 0) return;
        StreamCapture.destroy(exec);
        exec = 0;
        held = null;
    }
}
