package org.biaslab.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Capture of the stream's work into a CUDA graph, and its replay. While one thread captures, the kernels, GEMMs,
 * device copies and memsets it queues are recorded, not run; copies between host and device, waits for the GPU and
 * cudaFree fail at once with one line (the graph would read a host buffer that is gone, or the wait would never
 * end), and any other thread that queues work fails too. The objects that own the device blocks the captured work
 * touches ({@link #hold}) are kept by the graph, so that no block it reads or writes returns to the cache while it can
 * still be replayed.
 *
 * <p>Mode: {@code cudaStreamCaptureModeThreadLocal}. The checks above stop the unsafe calls before they reach CUDA;
 * thread-local mode makes CUDA refuse any that slip through on the capturing thread (cuBLAS internals included),
 * while the collector's and the batch-drawing threads, which never queue work, are not concerned. Global mode would
 * add nothing (there is one stream) and relaxed mode would let an unseen cudaFree corrupt the graph. cudaMalloc is
 * the one unsafe call allowed, switched to relaxed around it as PyTorch's allocator does: the block is allocated now,
 * not at replay, and belongs to the graph.
 */
public final class StreamCapture {
    private StreamCapture() {}

    private static final int THREAD_LOCAL = 1, RELAXED = 2;

    /** A capture under way: its thread and the owners of the blocks its work uses. */
    private static final class State {
        final Thread thread = Thread.currentThread();
        final Set<Object> held = Collections.newSetFromMap(new IdentityHashMap<>());
        long bytes;
    }

    /** A captured graph: the executable, the owners it keeps alive, and the device bytes allocated while capturing. */
    public record Graph(long exec, List<Object> held, long bytes) {}

    private static volatile State state;
    private static long workspace;

    /** Whether a capture is under way. */
    public static boolean active() {
        return state != null;
    }

    /** Starts capturing the stream's work on this thread, after {@link #prepare()}. */
    public static void begin() {
        Cuda.require();
        synchronized (StreamCapture.class) {
            if (state != null) throw new CudaException("CUDA graph capture: a capture is already under way on " + state.thread.getName());
            prepare();
            try {
                CudaApi.checkRuntime((int) CudaApi.Graphs.cudaStreamBeginCapture.invokeExact(Cuda.stream(), THREAD_LOCAL), "cudaStreamBeginCapture");
            } catch (CudaException e) {
                throw e;
            } catch (Throwable t) {
                throw new CudaException("cudaStreamBeginCapture: " + t);
            }
            State s = new State();
            state = s;
            Cuda.allocator().beginCapture((owner, bytes) -> {
                if (Thread.currentThread() != s.thread) return;
                s.held.add(owner);
                s.bytes += bytes;
            });
        }
    }

    /**
     * Waits for the GPU, and gives cuBLAS a workspace of its own the first time (its default size: 32 MiB from Hopper
     * on, 4 MiB before), which it otherwise allocates anew inside every captured graph. Every capture does this; call it
     * first where eager GEMMs are to be compared bit for bit with replays, so that both run with the same workspace.
     */
    public static synchronized void prepare() {
        if (state != null) throw new CudaException("CUDA graph capture: cuBLAS's workspace cannot change during a capture");
        Cuda.synchronize();
        if (workspace != 0) return;
        long bytes = (Cuda.computeCapability() >= 90 ? 32L : 4L) << 20;
        long w = Cuda.malloc(bytes);
        try {
            CudaApi.checkBlas((int) CudaApi.Graphs.cublasSetWorkspace.invokeExact(Cuda.blas(), w, bytes), "cublasSetWorkspace");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cublasSetWorkspace: " + t);
        }
        workspace = w;
    }

    /** Ends the capture and instantiates its graph; throws (with the capture ended) when CUDA invalidated it. */
    public static Graph end() {
        State s = requireCapturing();
        long graph = finish(s);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int code = (int) CudaApi.Graphs.cudaGraphInstantiateWithFlags.invokeExact(out, graph, 0L);
            if (code != 0) Cuda.clearError();
            int ignored = (int) CudaApi.Graphs.cudaGraphDestroy.invokeExact(graph); // the executable is independent of it
            CudaApi.checkRuntime(code, "cudaGraphInstantiateWithFlags");
            return new Graph(out.get(JAVA_LONG, 0), new ArrayList<>(s.held), s.bytes);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaGraphInstantiateWithFlags: " + t);
        }
    }

    /** Ends a capture whose work failed, dropping what was recorded; the stream runs work again afterwards. */
    public static void abort() {
        State s = state;
        if (s == null || s.thread != Thread.currentThread()) return;
        try {
            long graph = finish(s);
            int ignored = (int) CudaApi.Graphs.cudaGraphDestroy.invokeExact(graph);
        } catch (CudaException e) {
            // the capture was invalidated: nothing to destroy, and the capture is over all the same
        } catch (Throwable t) {
            throw new CudaException("cudaGraphDestroy: " + t);
        }
    }

    /** Clears this capture's state, then cudaStreamEndCapture: the graph handle, or an exception when CUDA invalidated the capture. */
    private static long finish(State s) {
        state = null;
        Cuda.allocator().endCapture();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            out.set(JAVA_LONG, 0, 0L);
            int code = (int) CudaApi.Graphs.cudaStreamEndCapture.invokeExact(Cuda.stream(), out);
            if (code != 0) {
                Cuda.clearError();
                CudaApi.checkRuntime(code, "cudaStreamEndCapture (the capture was invalidated by an operation it cannot record)");
            }
            long graph = out.get(JAVA_LONG, 0);
            if (graph == 0) throw new CudaException("cudaStreamEndCapture: no graph (the capture was invalidated)");
            return graph;
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaStreamEndCapture: " + t);
        }
    }

    private static State requireCapturing() {
        State s = state;
        if (s == null) throw new CudaException("CUDA graph capture: no capture is under way");
        if (s.thread != Thread.currentThread()) {
            throw new CudaException("CUDA graph capture: the capture must end on " + s.thread.getName() + ", which began it");
        }
        return s;
    }

    /** Queues one run of a captured graph on the stream. */
    public static void replay(long exec) {
        Cuda.require();
        if (state != null) throw new CudaException("CUDA graph capture: a graph cannot be replayed inside a capture");
        long t0 = KernelProfile.start();
        try {
            CudaApi.checkRuntime((int) CudaApi.Graphs.cudaGraphLaunch.invokeExact(exec, Cuda.stream()), "cudaGraphLaunch");
            KernelProfile.stop("graph replay", t0);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaGraphLaunch: " + t);
        }
    }

    /** Destroys a graph's executable; a replay still running finishes first (CUDA frees it then). */
    public static void destroy(long exec) {
        try {
            CudaApi.checkRuntime((int) CudaApi.Graphs.cudaGraphExecDestroy.invokeExact(exec), "cudaGraphExecDestroy");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaGraphExecDestroy: " + t);
        }
    }

    /** Whether CUDA reports the stream as capturing (cudaStreamIsCapturing): false whenever no capture is under way here. */
    public static boolean streamCapturing() {
        Cuda.require();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT);
            CudaApi.checkRuntime((int) CudaApi.Graphs.cudaStreamIsCapturing.invokeExact(Cuda.stream(), status), "cudaStreamIsCapturing");
            return status.get(JAVA_INT, 0) != 0; // cudaStreamCaptureStatusNone = 0
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaStreamIsCapturing: " + t);
        }
    }

    /** Keeps {@code owner} (a device block's owner) alive with the graph being captured, if any, when this thread captures. */
    public static void hold(Object owner) {
        State s = state;
        if (s != null && s.thread == Thread.currentThread()) s.held.add(owner);
    }

    /** Throws when a capture is under way: {@code what} cannot be recorded in a graph. */
    static void forbid(String what, String instead) {
        if (state != null) throw new CudaException("CUDA graph capture: " + what + " cannot be captured (" + instead + ")");
    }

    /** Throws when another thread than the capturing one queues work on the stream during a capture. */
    static void checkThread() {
        State s = state;
        if (s != null && s.thread != Thread.currentThread()) {
            throw new CudaException("CUDA graph capture: thread " + Thread.currentThread().getName() + " queued GPU work while "
                    + s.thread.getName() + " captures a graph");
        }
    }

    /** cudaMalloc on the capturing thread, in relaxed mode for that one call (not recorded: the block is the graph's). */
    static long mallocWhileCapturing(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mode = a.allocate(JAVA_INT);
            mode.set(JAVA_INT, 0, RELAXED);
            CudaApi.checkRuntime((int) CudaApi.Graphs.cudaThreadExchangeStreamCaptureMode.invokeExact(mode), "cudaThreadExchangeStreamCaptureMode");
            try {
                return Cuda.mallocNow(bytes);
            } finally {
                int ignored = (int) CudaApi.Graphs.cudaThreadExchangeStreamCaptureMode.invokeExact(mode); // back to the previous mode
            }
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaMalloc while capturing: " + t);
        }
    }

    /** Whether this thread is the one capturing. */
    static boolean capturingHere() {
        State s = state;
        return s != null && s.thread == Thread.currentThread();
    }
}
