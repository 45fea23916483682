package org.biaslab.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * FFM bindings to the few CUDA runtime (libcudart), driver (libcuda), cuBLAS and NVRTC entry points biaslab
 * calls. Loading this class loads the libraries; it fails with a {@link CudaException} naming what is missing.
 */
final class CudaApi {
    private CudaApi() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup RT = CudaLibraries.load("cudart");
    private static final SymbolLookup DRV = CudaLibraries.driver();
    private static final SymbolLookup BLAS = CudaLibraries.load("cublas");
    private static final SymbolLookup RTC = CudaLibraries.load("nvrtc");

    private static MethodHandle fn(SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment s = lib.find(name).orElseThrow(() -> new CudaException("CUDA: symbol " + name + " not found"));
        return LINKER.downcallHandle(s, d);
    }

    private static FunctionDescriptor ints(java.lang.foreign.MemoryLayout... args) {
        return FunctionDescriptor.of(JAVA_INT, args);
    }

    // ---- runtime ----
    static final MethodHandle cudaGetDeviceCount = fn(RT, "cudaGetDeviceCount", ints(ADDRESS));
    static final MethodHandle cudaSetDevice = fn(RT, "cudaSetDevice", ints(JAVA_INT));
    static final MethodHandle cudaDeviceGetAttribute = fn(RT, "cudaDeviceGetAttribute", ints(ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle cudaMemGetInfo = fn(RT, "cudaMemGetInfo", ints(ADDRESS, ADDRESS));
    static final MethodHandle cudaMalloc = fn(RT, "cudaMalloc", ints(ADDRESS, JAVA_LONG));
    static final MethodHandle cudaFree = fn(RT, "cudaFree", ints(JAVA_LONG));
    static final MethodHandle cudaMemcpyAsync = fn(RT, "cudaMemcpyAsync", ints(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG));
    static final MethodHandle cudaMemsetAsync = fn(RT, "cudaMemsetAsync", ints(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle cudaStreamCreate = fn(RT, "cudaStreamCreate", ints(ADDRESS));
    static final MethodHandle cudaStreamSynchronize = fn(RT, "cudaStreamSynchronize", ints(JAVA_LONG));
    static final MethodHandle cudaGetLastError = fn(RT, "cudaGetLastError", ints());
    static final MethodHandle cudaGetErrorString = fn(RT, "cudaGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle cudaRuntimeGetVersion = fn(RT, "cudaRuntimeGetVersion", ints(ADDRESS));

    // ---- driver: modules and launches ----
    static final MethodHandle cuInit = fn(DRV, "cuInit", ints(JAVA_INT));
    static final MethodHandle cuCtxGetCurrent = fn(DRV, "cuCtxGetCurrent", ints(ADDRESS));
    static final MethodHandle cuCtxSetCurrent = fn(DRV, "cuCtxSetCurrent", ints(JAVA_LONG));
    static final MethodHandle cuModuleLoadData = fn(DRV, "cuModuleLoadData", ints(ADDRESS, ADDRESS));
    static final MethodHandle cuModuleGetFunction = fn(DRV, "cuModuleGetFunction", ints(ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle cuLaunchKernel = fn(DRV, "cuLaunchKernel", ints(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    static final MethodHandle cuFuncSetAttribute = fn(DRV, "cuFuncSetAttribute", ints(JAVA_LONG, JAVA_INT, JAVA_INT));
    static final MethodHandle cuGetErrorString = fn(DRV, "cuGetErrorString", ints(JAVA_INT, ADDRESS));

    // ---- cuBLAS ----
    static final MethodHandle cublasCreate = fn(BLAS, "cublasCreate_v2", ints(ADDRESS));
    static final MethodHandle cublasSetStream = fn(BLAS, "cublasSetStream_v2", ints(JAVA_LONG, JAVA_LONG));
    static final MethodHandle cublasSetMathMode = fn(BLAS, "cublasSetMathMode", ints(JAVA_LONG, JAVA_INT));
    static final MethodHandle cublasSgemmStridedBatched = fn(BLAS, "cublasSgemmStridedBatched", ints(JAVA_LONG,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG,
            JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));

    static final MethodHandle cublasSgemvStridedBatched = fn(BLAS, "cublasSgemvStridedBatched", ints(JAVA_LONG, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_INT, JAVA_LONG, JAVA_INT));

    // ---- NVRTC ----
    static final MethodHandle nvrtcCreateProgram = fn(RTC, "nvrtcCreateProgram", ints(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle nvrtcCompileProgram = fn(RTC, "nvrtcCompileProgram", ints(JAVA_LONG, JAVA_INT, ADDRESS));
    static final MethodHandle nvrtcGetProgramLogSize = fn(RTC, "nvrtcGetProgramLogSize", ints(JAVA_LONG, ADDRESS));
    static final MethodHandle nvrtcGetProgramLog = fn(RTC, "nvrtcGetProgramLog", ints(JAVA_LONG, ADDRESS));
    static final MethodHandle nvrtcGetCUBINSize = fn(RTC, "nvrtcGetCUBINSize", ints(JAVA_LONG, ADDRESS));
    static final MethodHandle nvrtcGetCUBIN = fn(RTC, "nvrtcGetCUBIN", ints(JAVA_LONG, ADDRESS));
    static final MethodHandle nvrtcDestroyProgram = fn(RTC, "nvrtcDestroyProgram", ints(ADDRESS));
    static final MethodHandle nvrtcGetErrorString = fn(RTC, "nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle nvrtcVersion = fn(RTC, "nvrtcVersion", ints(ADDRESS, ADDRESS));

    /**
     * Stream capture and CUDA graphs (signatures as in cuda_runtime_api.h and cublas_api.h of CUDA 12 and 13; handles
     * and streams are pointers, passed as long), looked up on first use: a missing symbol fails graphs alone.
     */
    static final class Graphs {
        private Graphs() {}

        /** cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode). */
        static final MethodHandle cudaStreamBeginCapture = fn(RT, "cudaStreamBeginCapture", ints(JAVA_LONG, JAVA_INT));
        /** cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph). */
        static final MethodHandle cudaStreamEndCapture = fn(RT, "cudaStreamEndCapture", ints(JAVA_LONG, ADDRESS));
        /** cudaStreamIsCapturing(cudaStream_t stream, enum cudaStreamCaptureStatus *pCaptureStatus). */
        static final MethodHandle cudaStreamIsCapturing = fn(RT, "cudaStreamIsCapturing", ints(JAVA_LONG, ADDRESS));
        /** cudaThreadExchangeStreamCaptureMode(enum cudaStreamCaptureMode *mode). */
        static final MethodHandle cudaThreadExchangeStreamCaptureMode = fn(RT, "cudaThreadExchangeStreamCaptureMode", ints(ADDRESS));
        /**
         * cudaGraphInstantiateWithFlags(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags): the same
         * signature since CUDA 11.4, where cudaGraphInstantiate itself changed from five parameters to three in CUDA 12.
         */
        static final MethodHandle cudaGraphInstantiateWithFlags = fn(RT, "cudaGraphInstantiateWithFlags", ints(ADDRESS, JAVA_LONG, JAVA_LONG));
        /** cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream). */
        static final MethodHandle cudaGraphLaunch = fn(RT, "cudaGraphLaunch", ints(JAVA_LONG, JAVA_LONG));
        /** cudaGraphExecDestroy(cudaGraphExec_t graphExec). */
        static final MethodHandle cudaGraphExecDestroy = fn(RT, "cudaGraphExecDestroy", ints(JAVA_LONG));
        /** cudaGraphDestroy(cudaGraph_t graph). */
        static final MethodHandle cudaGraphDestroy = fn(RT, "cudaGraphDestroy", ints(JAVA_LONG));
        /** cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes). */
        static final MethodHandle cublasSetWorkspace = fn(BLAS, "cublasSetWorkspace_v2", ints(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    }

    /** Throws naming {@code call} unless the CUDA runtime returned cudaSuccess. */
    static void checkRuntime(int code, String call) {
        if (code == 0) return;
        try {
            MemorySegment s = (MemorySegment) cudaGetErrorString.invokeExact(code);
            throw new CudaException(call + ": CUDA error " + code + " (" + s.reinterpret(256).getString(0) + ")");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException(call + ": CUDA error " + code);
        }
    }

    static void checkDriver(int code, String call) {
        if (code == 0) return;
        String name = "";
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment p = arena.allocate(ADDRESS);
            if ((int) cuGetErrorString.invokeExact(code, p) == 0) name = " (" + p.get(ADDRESS, 0).reinterpret(256).getString(0) + ")";
        } catch (Throwable ignored) {
            // keep the code alone
        }
        throw new CudaException(call + ": CUDA driver error " + code + name);
    }

    static void checkBlas(int code, String call) {
        if (code != 0) throw new CudaException(call + ": cuBLAS status " + code);
    }

    static void checkNvrtc(int code, String call) {
        if (code == 0) return;
        String name = "";
        try {
            name = " (" + ((MemorySegment) nvrtcGetErrorString.invokeExact(code)).reinterpret(256).getString(0) + ")";
        } catch (Throwable ignored) {
            // keep the code alone
        }
        throw new CudaException(call + ": NVRTC error " + code + name);
    }
}
