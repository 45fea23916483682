package org.biaslab.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The process's CUDA device: device 0 (or {@code -Dbiaslab.cuda.device}), one stream on which every kernel, copy
 * and cuBLAS call runs in order, a cuBLAS handle and the caching {@link DeviceAllocator}. Started on first use;
 * without a GPU, driver or toolkit, {@link #require()} throws one line that says what is missing.
 */
public final class Cuda {
    private Cuda() {}

    private static final Object LOCK = new Object();
    private static volatile boolean ready;
    private static volatile String failure;
    private static long stream;
    private static long blas;
    private static long context;
    private static int computeCapability;
    private static long totalMemory;
    private static int multiprocessors;
    private static int sharedPerBlock;
    private static DeviceAllocator allocator;
    private static volatile boolean tf32;
    private static MemorySegment one, zero;
    private static final ThreadLocal<Boolean> BOUND = ThreadLocal.withInitial(() -> false);

    /** Whether a CUDA device can be used; never throws. */
    public static boolean available() {
        try {
            require();
            return true;
        } catch (CudaException e) {
            return false;
        }
    }

    /** Why CUDA cannot be used, or null when it can. */
    public static String unavailableReason() {
        return available() ? null : failure;
    }

    /**
     * How many CUDA devices this process sees (cuInit and cudaGetDeviceCount, without starting a context on any), 0
     * without a GPU, driver or toolkit; never throws. A process picks its device with {@code -Dbiaslab.cuda.device}.
     */
    public static int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            if ((int) CudaApi.cuInit.invokeExact(0) != 0) return 0;
            return (int) CudaApi.cudaGetDeviceCount.invokeExact(out) == 0 ? out.get(JAVA_INT, 0) : 0;
        } catch (Throwable t) { // the libraries are missing (ExceptionInInitializerError, NoClassDefFoundError) or the call failed
            return 0;
        }
    }

    /** Starts CUDA on first use and makes its context current on this thread; throws when there is no usable device. */
    public static void require() {
        if (!ready) start();
        if (!BOUND.get()) bind();
    }

    private static void start() {
        synchronized (LOCK) {
            if (ready) return;
            if (failure != null) throw new CudaException(failure);
            try {
                init();
                ready = true;
            } catch (CudaException e) {
                failure = e.getMessage();
                throw e;
            } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                failure = c instanceof CudaException ? c.getMessage() : "CUDA cannot be loaded: " + c;
                throw new CudaException(failure);
            }
        }
    }

    private static void init() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG, 2);
            CudaApi.checkDriver((int) CudaApi.cuInit.invokeExact(0), "cuInit");
            int code = (int) CudaApi.cudaGetDeviceCount.invokeExact(out);
            if (code != 0 || out.get(JAVA_INT, 0) == 0) throw new CudaException("no CUDA device is visible (cudaGetDeviceCount: " + code + ")");
            int device = Integer.getInteger("biaslab.cuda.device", 0);
            CudaApi.checkRuntime((int) CudaApi.cudaSetDevice.invokeExact(device), "cudaSetDevice(" + device + ")");
            CudaApi.checkRuntime((int) CudaApi.cudaFree.invokeExact(0L), "cudaFree(0)"); // creates the primary context
            CudaApi.checkDriver((int) CudaApi.cuCtxGetCurrent.invokeExact(out), "cuCtxGetCurrent");
            context = out.get(JAVA_LONG, 0);
            CudaApi.checkRuntime((int) CudaApi.cudaDeviceGetAttribute.invokeExact(out, 75, device), "cudaDeviceGetAttribute");
            int major = out.get(JAVA_INT, 0);
            CudaApi.checkRuntime((int) CudaApi.cudaDeviceGetAttribute.invokeExact(out, 76, device), "cudaDeviceGetAttribute");
            computeCapability = major * 10 + out.get(JAVA_INT, 0);
            CudaApi.checkRuntime((int) CudaApi.cudaDeviceGetAttribute.invokeExact(out, 16, device), "cudaDeviceGetAttribute");
            multiprocessors = out.get(JAVA_INT, 0);
            CudaApi.checkRuntime((int) CudaApi.cudaDeviceGetAttribute.invokeExact(out, 97, device), "cudaDeviceGetAttribute");
            sharedPerBlock = out.get(JAVA_INT, 0); // cudaDevAttrMaxSharedMemoryPerBlockOptin
            CudaApi.checkRuntime((int) CudaApi.cudaMemGetInfo.invokeExact(out, out.asSlice(8)), "cudaMemGetInfo");
            totalMemory = out.get(JAVA_LONG, 8);
            CudaApi.checkRuntime((int) CudaApi.cudaStreamCreate.invokeExact(out), "cudaStreamCreate");
            stream = out.get(JAVA_LONG, 0);
            CudaApi.checkBlas((int) CudaApi.cublasCreate.invokeExact(out), "cublasCreate");
            blas = out.get(JAVA_LONG, 0);
            CudaApi.checkBlas((int) CudaApi.cublasSetStream.invokeExact(blas, stream), "cublasSetStream");
            setTf32(Boolean.getBoolean("biaslab.cuda.tf32"));
        } catch (CudaException | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("CUDA start failed: " + t);
        }
        one = Arena.global().allocate(JAVA_FLOAT);
        one.set(JAVA_FLOAT, 0, 1f);
        zero = Arena.global().allocate(JAVA_FLOAT);
        long gcEvery = Long.getLong("biaslab.cuda.gcBytes", totalMemory / 8);
        long limit = Long.getLong("biaslab.cuda.limitBytes", (long) (totalMemory * 0.9) - (1L << 30));
        allocator = new DeviceAllocator(gcEvery, limit, new DeviceAllocator.Memory() {
            @Override
            public long malloc(long bytes) {
                try {
                    return Cuda.malloc(bytes);
                } catch (CudaException outOfMemory) {
                    clearError();
                    return 0;
                }
            }

            @Override
            public void free(long address) {
                Cuda.free(address);
            }
        });
        BOUND.set(true);
    }

    private static void bind() {
        try {
            CudaApi.checkDriver((int) CudaApi.cuCtxSetCurrent.invokeExact(context), "cuCtxSetCurrent");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cuCtxSetCurrent: " + t);
        }
        BOUND.set(true);
    }

    /** Compute capability as major·10 + minor (90 for an H100). */
    public static int computeCapability() {
        require();
        return computeCapability;
    }

    /** Streaming multiprocessors (132 on an H100 SXM). */
    public static int multiprocessors() {
        require();
        return multiprocessors;
    }

    /** The most shared memory a block may use once its kernel allows it (227 KiB on an H100). */
    public static int sharedMemoryPerBlock() {
        require();
        return sharedPerBlock;
    }

    /** Lets {@code function} take up to {@code bytes} of dynamic shared memory per block. */
    static void allowDynamicShared(long function, int bytes) {
        try {
            // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
            CudaApi.checkDriver((int) CudaApi.cuFuncSetAttribute.invokeExact(function, 8, bytes), "cuFuncSetAttribute");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cuFuncSetAttribute: " + t);
        }
    }

    /** Device memory in bytes. */
    public static long totalMemory() {
        require();
        return totalMemory;
    }

    public static DeviceAllocator allocator() {
        require();
        return allocator;
    }

    /**
     * cuBLAS math mode: TF32 tensor cores for float32 GEMMs when on (faster, about 10 bits of mantissa), exact
     * float32 otherwise (the default).
     */
    public static void setTf32(boolean on) {
        try {
            CudaApi.checkBlas((int) CudaApi.cublasSetMathMode.invokeExact(blas, on ? 3 : 0), "cublasSetMathMode");
            tf32 = on;
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cublasSetMathMode: " + t);
        }
    }

    /** Whether float32 GEMMs run on TF32 tensor cores now ({@link #setTf32}). */
    public static boolean tf32() {
        return tf32;
    }

    // ---- memory ----

    /** cudaMalloc; while this thread captures a graph, in relaxed capture mode for the call ({@link StreamCapture}). */
    static long malloc(long bytes) {
        return StreamCapture.capturingHere() ? StreamCapture.mallocWhileCapturing(bytes) : mallocNow(bytes);
    }

    static long mallocNow(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            long t0 = KernelProfile.start();
            CudaApi.checkRuntime((int) CudaApi.cudaMalloc.invokeExact(p, bytes), "cudaMalloc(" + bytes + ")");
            KernelProfile.stop("cudaMalloc", t0);
            return p.get(JAVA_LONG, 0);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaMalloc: " + t);
        }
    }

    static void free(long address) {
        StreamCapture.forbid("cudaFree", "it waits for the GPU");
        try {
            CudaApi.checkRuntime((int) CudaApi.cudaFree.invokeExact(address), "cudaFree");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaFree: " + t);
        }
    }

    static void clearError() {
        try {
            int ignored = (int) CudaApi.cudaGetLastError.invokeExact();
        } catch (Throwable ignored) {
            // nothing to clear
        }
    }

    /** Copies {@code bytes} from native host memory to the device (ordered on the stream). */
    public static void copyToDevice(MemorySegment host, long device, long bytes) {
        memcpy(device, host.address(), bytes, 1);
    }

    /** Copies {@code bytes} from the device to native host memory, waiting for the stream. */
    public static void copyToHost(long device, MemorySegment host, long bytes) {
        memcpy(host.address(), device, bytes, 2);
        synchronize();
    }

    /** Device-to-device copy on the stream. */
    public static void copyOnDevice(long src, long dst, long bytes) {
        memcpy(dst, src, bytes, 3);
    }

    private static void memcpy(long dst, long src, long bytes, int kind) {
        if (kind == 1) StreamCapture.forbid("a copy from the host", "copy inputs into the captured tensors before a replay");
        if (kind == 2) StreamCapture.forbid("a copy to the host", "read outputs from the captured tensors after a replay");
        StreamCapture.checkThread();
        if (bytes == 0) return;
        require();
        long t0 = KernelProfile.start();
        try {
            CudaApi.checkRuntime((int) CudaApi.cudaMemcpyAsync.invokeExact(dst, src, bytes, kind, stream), "cudaMemcpyAsync");
            KernelProfile.stop(kind == 1 ? "copy to device" : kind == 2 ? "copy to host" : "copy on device", t0);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaMemcpyAsync: " + t);
        }
    }

    /** Zeroes {@code bytes} at {@code device} on the stream. */
    public static void zero(long device, long bytes) {
        StreamCapture.checkThread();
        if (bytes == 0) return;
        require();
        try {
            CudaApi.checkRuntime((int) CudaApi.cudaMemsetAsync.invokeExact(device, 0, bytes, stream), "cudaMemsetAsync");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaMemsetAsync: " + t);
        }
    }

    /** Waits until everything queued on the stream has finished; reports asynchronous kernel errors. */
    public static void synchronize() {
        StreamCapture.forbid("waiting for the GPU", "replay the graph, then wait");
        require();
        try {
            CudaApi.checkRuntime((int) CudaApi.cudaStreamSynchronize.invokeExact(stream), "cudaStreamSynchronize");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cudaStreamSynchronize: " + t);
        }
    }

    static long stream() {
        return stream;
    }

    static long blas() {
        return blas;
    }

    // ---- cuBLAS ----

    /**
     * Row-major strided batched SGEMM: for i < batch, C_i (m×n) = op(A_i) op(B_i) with A_i at a + i·strideA
     * (m×k, or k×m when transA) and B_i at b + i·strideB (k×n, or n×k when transB); strides in elements.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, long a, long strideA, long b,
                             long strideB, long c, long strideC, int batch) {
        sgemm(transA, transB, m, n, k, k, a, strideA, b, strideB, c, strideC, batch);
    }

    /**
     * As above, over k of the ldk columns (rows, when transposed) that A's and B's rows hold: a slice of the inner
     * dimension, e.g. one chunk of a product split along k. {@code m == 1} and {@code n == 1} need {@code k == ldk}.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, int ldk, long a, long strideA, long b,
                             long strideB, long c, long strideC, int batch) {
        require();
        StreamCapture.checkThread();
        if ((n == 1 || m == 1) && k != ldk) throw new IllegalArgumentException("sgemm: a matrix-vector product over part of k");
        if (n == 1) {
            // out (m) = op(A) b: A row-major m×k is column-major k×m, so y = Aᵀ-of-that; transposed A is column-major m×k
            sgemv(!transA, transA ? m : k, transA ? k : m, a, transA ? m : k, strideA, b, strideB, c, strideC, batch);
            return;
        }
        if (m == 1) {
            // out (n) = a op(B), i.e. op(B)ᵀ a: B row-major k×n is column-major n×k
            sgemv(transB, transB ? k : n, transB ? n : k, b, transB ? k : n, strideB, a, strideA, c, strideC, batch);
            return;
        }
        // column-major view: Cᵀ (n×m) = op(B)ᵀ op(A)ᵀ
        int opB = transB ? 1 : 0, opA = transA ? 1 : 0;
        int ldb = transB ? ldk : n, lda = transA ? m : ldk;
        long t0 = KernelProfile.start();
        try {
            CudaApi.checkBlas((int) CudaApi.cublasSgemmStridedBatched.invokeExact(blas, opB, opA, n, m, k, one.address(),
                    b, ldb, strideB, a, lda, strideA, zero.address(), c, n, strideC, batch), "cublasSgemmStridedBatched");
            KernelProfile.stop("sgemm " + m + "x" + n + "x" + k + (batch > 1 ? " ×" + batch : ""), t0);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cublasSgemmStridedBatched: " + t);
        }
    }

    /**
     * Batched y = op(M) x for a column-major rows×cols matrix M (leading dimension ld), op = transpose when
     * {@code trans}; cuBLAS's GEMM kernels are slow for matrix-vector shapes (a readout to one output).
     */
    private static void sgemv(boolean trans, int rows, int cols, long mat, int ld, long strideMat, long x, long strideX,
                              long y, long strideY, int batch) {
        long t0 = KernelProfile.start();
        try {
            CudaApi.checkBlas((int) CudaApi.cublasSgemvStridedBatched.invokeExact(blas, trans ? 1 : 0, rows, cols, one.address(),
                    mat, ld, strideMat, x, 1, strideX, zero.address(), y, 1, strideY, batch), "cublasSgemvStridedBatched");
            KernelProfile.stop("sgemv " + rows + "x" + cols + (batch > 1 ? " ×" + batch : ""), t0);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cublasSgemvStridedBatched: " + t);
        }
    }

    /** Forgets the kernel times collected so far (with {@code -Dbiaslab.cuda.profile=true}), e.g. after warm-up. */
    public static void resetProfile() {
        KernelProfile.reset();
    }

    // ---- kernels ----

    /** Launches {@code function} (from a {@link CudaModule}) with the kernel parameters written by {@code args}. */
    static void launch(long function, int gridX, int gridY, int gridZ, int blockX, int blockY, int sharedBytes, KernelArgs args) {
        StreamCapture.checkThread();
        try {
            CudaApi.checkDriver((int) CudaApi.cuLaunchKernel.invokeExact(function, gridX, gridY, gridZ, blockX, blockY, 1,
                    sharedBytes, stream, args.pointers(), 0L), "cuLaunchKernel");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cuLaunchKernel: " + t);
        }
    }
}
