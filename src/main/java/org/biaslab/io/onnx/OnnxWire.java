package org.biaslab.io.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.io.FormatException;

/**
 * Decodes the protobuf wire format of an ONNX file with protobuf-java's {@link CodedInputStream}, reading only these
 * fields of onnx.proto3 (every other field is skipped):
 *
 * <pre>
 * ModelProto      7 graph
 * GraphProto      1 node, 5 initializer, 11 input, 12 output
 * ValueInfoProto  1 name
 * NodeProto       1 input, 2 output, 3 name, 4 op_type, 5 attribute
 * AttributeProto  1 name, 2 f, 3 i, 4 s, 5 t, 8 ints
 * TensorProto     1 dims, 2 data_type, 4 float_data, 5 int32_data, 7 int64_data, 8 name, 9 raw_data,
 *                 10 double_data, 14 data_location (EXTERNAL = 1 is refused)
 * </pre>
 * Repeated numbers are accepted packed and unpacked, as protobuf parsers must.
 */
final class OnnxWire {
    private final Path file;
    private final CodedInputStream in;

    private OnnxWire(Path file, CodedInputStream in) {
        this.file = file;
        this.in = in;
    }

    static OnnxModel read(Path file) throws IOException {
        MappedByteBuffer bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) throw new FormatException(file, "file has " + ch.size() + " bytes; protobuf files end at 2 GiB");
            bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.enableAliasing(true); // raw_data stays a view into the mapping
        try {
            OnnxModel m = new OnnxWire(file, in).model();
            if (m == null) throw new FormatException(file, "no graph (field 7 of ModelProto): not an ONNX model");
            return m;
        } catch (InvalidProtocolBufferException e) {
            throw new FormatException(file, "not an ONNX model, or a truncated or corrupt one (protobuf: " + e.getMessage().replaceAll("\\.$", "") + ")", e);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage(), e);
        }
    }

    private OnnxModel model() throws IOException {
        OnnxModel model = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) return model;
            if (field(tag) == 7) model = message(this::graph);
            else in.skipField(tag);
        }
    }

    private OnnxModel graph() throws IOException {
        List<OnnxNode> nodes = new ArrayList<>();
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (field(tag)) {
                case 1 -> nodes.add(message(this::node));
                case 5 -> {
                    OnnxTensor t = message(this::tensor);
                    initializers.put(t.name(), t);
                }
                case 11 -> inputs.add(message(this::valueInfoName));
                case 12 -> outputs.add(message(this::valueInfoName));
                default -> in.skipField(tag);
            }
        }
        return new OnnxModel(file, List.copyOf(nodes), Collections.unmodifiableMap(initializers), List.copyOf(inputs), List.copyOf(outputs));
    }

    private String valueInfoName() throws IOException {
        String name = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (field(tag) == 1) name = in.readStringRequireUtf8();
            else in.skipField(tag);
        }
        return name;
    }

    private OnnxNode node() throws IOException {
        List<String> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        String name = "", op = "";
        Map<String, OnnxAttribute> attributes = new LinkedHashMap<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (field(tag)) {
                case 1 -> inputs.add(in.readStringRequireUtf8());
                case 2 -> outputs.add(in.readStringRequireUtf8());
                case 3 -> name = in.readStringRequireUtf8();
                case 4 -> op = in.readStringRequireUtf8();
                case 5 -> {
                    OnnxAttribute a = message(this::attribute);
                    attributes.put(a.name(), a);
                }
                default -> in.skipField(tag);
            }
        }
        return new OnnxNode(name, op, List.copyOf(inputs), List.copyOf(outputs), Collections.unmodifiableMap(attributes));
    }

    private OnnxAttribute attribute() throws IOException {
        String name = "", s = null;
        float f = 0;
        long i = 0;
        OnnxTensor t = null;
        List<Long> ints = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (field(tag)) {
                case 1 -> name = in.readStringRequireUtf8();
                case 2 -> f = in.readFloat();
                case 3 -> i = in.readInt64();
                case 4 -> s = in.readBytes().toString(StandardCharsets.UTF_8);
                case 5 -> t = message(this::tensor);
                case 8 -> int64s(tag, ints);
                default -> in.skipField(tag);
            }
        }
        return new OnnxAttribute(name, f, i, s, t, ints.stream().mapToLong(Long::longValue).toArray());
    }

    private OnnxTensor tensor() throws IOException {
        List<Long> dims = new ArrayList<>(), int64 = new ArrayList<>(), int32 = new ArrayList<>();
        List<Float> floats = new ArrayList<>();
        List<Double> doubles = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteString raw = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (field(tag)) {
                case 1 -> int64s(tag, dims);
                case 2 -> dataType = in.readInt32();
                case 4 -> repeated(tag, () -> floats.add(in.readFloat()));
                case 5 -> int64s(tag, int32);
                case 7 -> int64s(tag, int64);
                case 8 -> name = in.readStringRequireUtf8();
                case 9 -> raw = in.readBytes();
                case 10 -> repeated(tag, () -> doubles.add(in.readDouble()));
                case 14 -> {
                    if (in.readEnum() == 1) throw new IllegalArgumentException("tensor '" + name + "' keeps its data in an external file, which biaslab does not read");
                }
                default -> in.skipField(tag);
            }
        }
        for (long d : dims) if (d < 0) throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension " + dims);
        float[] f = new float[floats.size()];
        for (int k = 0; k < f.length; k++) f[k] = floats.get(k);
        OnnxTensor t = new OnnxTensor(name, dataType, dims.stream().mapToLong(Long::longValue).toArray(), raw,
                f, int32.stream().mapToInt(Long::intValue).toArray(), int64.stream().mapToLong(Long::longValue).toArray(),
                doubles.stream().mapToDouble(Double::doubleValue).toArray());
        String problem = t.problem();
        if (problem != null) throw new IllegalArgumentException(problem);
        return t;
    }

    private interface Body<T> {
        T parse() throws IOException;
    }

    private interface Element {
        void read() throws IOException;
    }

    /** A length-delimited sub-message. */
    private <T> T message(Body<T> body) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        T value = body.parse();
        in.checkLastTagWas(0);
        in.popLimit(limit);
        return value;
    }

    private void int64s(int tag, List<Long> out) throws IOException {
        repeated(tag, () -> out.add(in.readInt64()));
    }

    /** One element, or a packed run of them. */
    private void repeated(int tag, Element element) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            element.read();
            return;
        }
        int limit = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) element.read();
        in.popLimit(limit);
    }

    private static int field(int tag) {
        return WireFormat.getTagFieldNumber(tag);
    }
}
