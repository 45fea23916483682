package org.biaslab.tensor;

/** Where a tensor's storage lives: host memory, or the CUDA device of {@link org.biaslab.tensor.cuda.Cuda}. */
public enum Device {
    CPU,
    /** float32 and int32 tensors on the GPU; float64 stays on the CPU. */
    CUDA;

    /** "cpu" or "cuda" (case-insensitive); anything else is an error naming the value. */
    public static Device parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> CPU;
            case "cuda", "gpu" -> CUDA;
            default -> throw new IllegalArgumentException("unknown device '" + name + "' (cpu, cuda)");
        };
    }
}
