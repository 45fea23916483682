package org.biaslab.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;

/** Named engine tensors to and from a safetensors file (F32, F64 and I32 kept; F16/BF16 read as F32). */
public final class TensorFile {
    private TensorFile() {}

    /** The tensors of a file and its string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /**
     * Writes {@code tensors} in order with {@code metadata}, atomically (a crash leaves the old file); returns the
     * SHA-256 of the file's bytes in lower-case hex.
     */
    public static String save(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        metadata.forEach(w::metadata);
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long[] shape = java.util.Arrays.stream(t.shape().dims()).asLongStream().toArray();
            switch (t.dtype()) {
                case F32 -> w.add(e.getKey(), t.toFloatArray(), shape);
                case F64 -> w.add(e.getKey(), t.toDoubleArray(), shape);
                case I32 -> w.add(e.getKey(), t.toIntArray(), shape);
            }
        }
        return w.write(path);
    }

    /** Reads every tensor of a safetensors file; the error names the file and the tensor it cannot convert. */
    public static Contents load(Path path) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(path)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (SafeTensorEntry e : f.tensors()) out.put(e.name(), tensor(path, e));
            return new Contents(out, f.metadata());
        }
    }

    /**
     * One entry as an engine tensor: F64 kept, F32/F16/BF16 as F32, integers and booleans as I32; a shape or value
     * outside int32 or another dtype is an error naming {@code file} and the tensor.
     */
    public static Tensor tensor(Path file, SafeTensorEntry e) throws FormatException {
        int[] dims;
        try {
            dims = Shape.ofLongs(e.shape()).dims();
        } catch (IllegalArgumentException ex) {
            throw new FormatException(file, "tensor '" + e.name() + "': " + ex.getMessage());
        }
        return switch (e.dtype()) {
            case F64 -> Tensor.of(e.toDoubleArray(), dims);
            case F32, F16, BF16 -> Tensor.of(e.toFloatArray(), dims);
            case I32, I64, I16, U16, U32, I8, U8, BOOL -> Tensor.ofInts(ints(file, e), dims);
            default -> throw new FormatException(file, "tensor '" + e.name() + "' has dtype " + e.dtype() + ", which biaslab cannot load");
        };
    }

    private static int[] ints(Path file, SafeTensorEntry e) throws FormatException {
        long[] values = e.toLongArray();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] != (int) values[i]) {
                throw new FormatException(file, "tensor '" + e.name() + "' holds " + values[i] + " at index " + i + ", outside int32");
            }
            out[i] = (int) values[i];
        }
        return out;
    }
}
