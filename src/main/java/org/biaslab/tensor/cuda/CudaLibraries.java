package org.biaslab.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the CUDA 12 or 13 shared libraries at run time: in {@code $CUDA_HOME} (or {@code $CUDA_PATH}), the
 * directories of {@code $LD_LIBRARY_PATH}, {@code /usr/local/cuda*} and the system library directories. The driver
 * (libcuda.so.1) comes from the system loader.
 */
final class CudaLibraries {
    private CudaLibraries() {}

    /** Loads {@code libcuda.so.1}, the driver API. */
    static SymbolLookup driver() {
        try {
            return SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            throw new CudaException("no NVIDIA driver: libcuda.so.1 cannot be loaded (is there a GPU and its driver on this machine?)");
        }
    }

    /** Loads the newest {@code lib<name>.so.<major>} found, for majors 13 then 12. */
    static SymbolLookup load(String name) {
        List<Path> tried = new ArrayList<>();
        for (Path dir : directories()) {
            for (String major : new String[] {"13", "12"}) {
                Path p = dir.resolve("lib" + name + ".so." + major);
                tried.add(p);
                if (Files.isRegularFile(p)) return SymbolLookup.libraryLookup(p, Arena.global());
            }
            Path plain = dir.resolve("lib" + name + ".so");
            if (Files.isRegularFile(plain)) return SymbolLookup.libraryLookup(plain, Arena.global());
        }
        throw new CudaException("no CUDA 12 or 13 installation: lib" + name + ".so not found in " + directories()
                + " (set CUDA_HOME to the toolkit directory)");
    }

    private static Set<Path> directories() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String var : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String home = System.getenv(var);
            if (home != null && !home.isBlank()) {
                dirs.add(Path.of(home, "lib64"));
                dirs.add(Path.of(home, "targets", "x86_64-linux", "lib"));
                dirs.add(Path.of(home, "lib"));
            }
        }
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isBlank()) dirs.add(Path.of(d));
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        try (Stream<Path> s = Files.list(Path.of("/usr/local"))) {
            s.filter(p -> p.getFileName().toString().startsWith("cuda-")).sorted((a, b) -> b.compareTo(a))
                    .forEach(p -> dirs.add(p.resolve("lib64")));
        } catch (java.io.IOException ignored) {
            // no /usr/local: the other directories remain
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
        return dirs;
    }
}
