package org.biaslab.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CUDA C source compiled by NVRTC for this GPU's architecture and loaded as a module. The CUBIN is cached under
 * {@code ~/.cache/biaslab/cuda} (or {@code $BIASLAB_CACHE/cuda}) by a hash of the source, options and NVRTC version,
 * so later runs skip the compiler.
 */
public final class CudaModule {
    private final long module;
    private static final int DEFAULT_SHARED = 48 << 10;
    private final ConcurrentHashMap<String, Long> functions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> sharedAllowed = new ConcurrentHashMap<>();

    private CudaModule(long module) {
        this.module = module;
    }

    /** Compiles (or loads from the cache) {@code source}; {@code name} appears in compiler errors. */
    public static CudaModule compile(String name, String source) {
        Cuda.require();
        String arch = "sm_" + Cuda.computeCapability();
        // no FMA contraction: a·b + c rounds as in Java, so elementwise kernels (the optimisers) match the CPU bit for bit
        String[] options = {"--gpu-architecture=" + arch, "-std=c++17", "-default-device", "--fmad=false"};
        Path cache = cacheDir().resolve(hash(source + String.join(" ", options) + nvrtcVersion()) + "-" + arch + ".cubin");
        byte[] cubin;
        try {
            cubin = Files.isRegularFile(cache) ? Files.readAllBytes(cache) : null;
        } catch (IOException e) {
            cubin = null;
        }
        if (cubin == null) {
            cubin = nvrtc(name, source, options);
            try {
                Files.createDirectories(cache.getParent());
                Path tmp = Files.createTempFile(cache.getParent(), "kernels", ".tmp");
                Files.write(tmp, cubin);
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // an unwritable cache only costs a compile next time
            }
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment image = a.allocate(cubin.length + 1L, 16);
            MemorySegment.copy(cubin, 0, image, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, cubin.length);
            MemorySegment out = a.allocate(ADDRESS);
            CudaApi.checkDriver((int) CudaApi.cuModuleLoadData.invokeExact(out, image), "cuModuleLoadData(" + name + ")");
            return new CudaModule(out.get(JAVA_LONG, 0));
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cuModuleLoadData(" + name + "): " + t);
        }
    }

    /** The kernel {@code name} (an extern "C" __global__ function). */
    public long function(String name) {
        Long f = functions.get(name);
        if (f != null) return f;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            CudaApi.checkDriver((int) CudaApi.cuModuleGetFunction.invokeExact(out, module, a.allocateFrom(name)),
                    "cuModuleGetFunction(" + name + ")");
            long fn = out.get(JAVA_LONG, 0);
            functions.put(name, fn);
            return fn;
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cuModuleGetFunction(" + name + "): " + t);
        }
    }

    /** Launches kernel {@code name} on a 1-D grid of {@code blocks} × {@code threads}. */
    public void launch(String name, int blocks, int threads, KernelArgs args) {
        launch(name, blocks, 1, 1, threads, 1, args);
    }

    /** Launches kernel {@code name} on a 3-D grid of blocks of blockX × blockY threads. */
    public void launch(String name, int gx, int gy, int gz, int blockX, int blockY, KernelArgs args) {
        launch(name, gx, gy, gz, blockX, blockY, 0, args);
    }

    /**
     * Launches kernel {@code name} with {@code sharedBytes} of dynamic shared memory per block, raising the kernel's
     * limit first when that is more than the default 48 KiB (up to {@link Cuda#sharedMemoryPerBlock()}).
     */
    public void launch(String name, int gx, int gy, int gz, int blockX, int blockY, int sharedBytes, KernelArgs args) {
        Cuda.require();
        long t0 = KernelProfile.start();
        try {
            long fn = function(name);
            if (sharedBytes > DEFAULT_SHARED) allowShared(name, fn, sharedBytes);
            Cuda.launch(fn, gx, gy, gz, blockX, blockY, sharedBytes, args);
            KernelProfile.stop(name, t0);
        } catch (CudaException e) {
            throw new CudaException("kernel " + name + ": " + e.getMessage());
        }
    }

    private void allowShared(String name, long fn, int bytes) {
        if (sharedAllowed.getOrDefault(name, DEFAULT_SHARED) >= bytes) return;
        Cuda.allowDynamicShared(fn, Cuda.sharedMemoryPerBlock());
        sharedAllowed.put(name, Cuda.sharedMemoryPerBlock());
    }

    private static byte[] nvrtc(String name, String source, String[] options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDRESS);
            CudaApi.checkNvrtc((int) CudaApi.nvrtcCreateProgram.invokeExact(prog, a.allocateFrom(source), a.allocateFrom(name), 0,
                    MemorySegment.NULL, MemorySegment.NULL), "nvrtcCreateProgram");
            long p = prog.get(JAVA_LONG, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, options.length);
                for (int i = 0; i < options.length; i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options[i]));
                int code = (int) CudaApi.nvrtcCompileProgram.invokeExact(p, options.length, opts);
                if (code != 0) {
                    MemorySegment size = a.allocate(JAVA_LONG);
                    int ignored = (int) CudaApi.nvrtcGetProgramLogSize.invokeExact(p, size);
                    MemorySegment log = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
                    ignored = (int) CudaApi.nvrtcGetProgramLog.invokeExact(p, log);
                    throw new CudaException("NVRTC could not compile " + name + ": " + log.getString(0).strip().replace('\n', ' '));
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                CudaApi.checkNvrtc((int) CudaApi.nvrtcGetCUBINSize.invokeExact(p, size), "nvrtcGetCUBINSize");
                MemorySegment bin = a.allocate(size.get(JAVA_LONG, 0));
                CudaApi.checkNvrtc((int) CudaApi.nvrtcGetCUBIN.invokeExact(p, bin), "nvrtcGetCUBIN");
                return bin.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            } finally {
                int ignored = (int) CudaApi.nvrtcDestroyProgram.invokeExact(prog);
            }
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("NVRTC: " + t);
        }
    }

    private static String nvrtcVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT, 2);
            CudaApi.checkNvrtc((int) CudaApi.nvrtcVersion.invokeExact(v, v.asSlice(4)), "nvrtcVersion");
            return v.get(JAVA_INT, 0) + "." + v.get(JAVA_INT, 4);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("nvrtcVersion: " + t);
        }
    }

    private static Path cacheDir() {
        String env = System.getenv("BIASLAB_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "biaslab");
        return base.resolve("cuda");
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
