package org.biaslab.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.biaslab.tensor.cuda.Cuda;
import org.biaslab.tensor.cuda.CudaModule;
import org.biaslab.tensor.cuda.KernelArgs;
import org.biaslab.tensor.cuda.StreamCapture;

/**
 * The GPU backend: GEMMs through cuBLAS (strided batched), every other op a CUDA C kernel from
 * {@code kernels.cu}, compiled by NVRTC on first use. float32 everywhere (int32 for indices and masks); a CPU
 * tensor of one element may stand for a scalar operand of an elementwise op, passed to the kernel by value.
 */
final class CudaBackend implements Backend {
    private static volatile CudaBackend instance;

    private static final int THREADS = 256;
    private static final int MAX_BLOCKS = 1 << 16;
    private static final int MAX_RANK = 8;
    /**
     * Scatters whose rows × indices stay below this take the chunked scan (single models' small vocabularies); larger
     * ones, such as an ensemble's stacked tables, a counting sort of the index. Both are deterministic.
     */
    private static final long SCAN_WORK = 1L << 24;
    /** Threads of the one block that scans a table's row counts. */
    private static final int SCAN_THREADS = 1024;

    private final CudaModule k;
    private final int sms;

    private CudaBackend(CudaModule module) {
        this.k = module;
        this.sms = Cuda.multiprocessors();
    }

    /** The backend, starting CUDA and compiling the kernels on first use. */
    static CudaBackend instance() {
        CudaBackend b = instance;
        if (b != null) return b;
        synchronized (CudaBackend.class) {
            if (instance == null) {
                Cuda.require();
                instance = new CudaBackend(CudaModule.compile("kernels.cu", source()));
            }
            return instance;
        }
    }

    /** kernels.cu behind #defines of the Java enums' ordinals, so op codes cannot drift apart. */
    static String source() {
        StringBuilder sb = new StringBuilder();
        for (UnaryOp op : UnaryOp.values()) sb.append("#define U_").append(op.name()).append(' ').append(op.ordinal()).append('\n');
        for (BinaryOp op : BinaryOp.values()) sb.append("#define B_").append(op.name()).append(' ').append(op.ordinal()).append('\n');
        for (ReduceOp op : ReduceOp.values()) sb.append("#define R_").append(op.name()).append(' ').append(op.ordinal()).append('\n');
        try (InputStream in = CudaBackend.class.getResourceAsStream("cuda/kernels.cu")) {
            if (in == null) throw new IllegalStateException("cuda: resource org/biaslab/tensor/cuda/kernels.cu is missing from the jar");
            return sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).toString();
        } catch (IOException e) {
            throw new IllegalStateException("cuda: cannot read kernels.cu: " + e.getMessage(), e);
        }
    }

    private static int blocks(long n) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, (n + THREADS - 1) / THREADS));
    }

    /** Blocks for one warp per row, 8 rows a block. */
    private static int rowBlocks(long rows) {
        return (int) Math.max(1, Math.min(1 << 20, (rows + 7) / 8));
    }

    private static long ptr(Tensor t) {
        if (t == null) return 0;
        if (t.device() != Device.CUDA) throw new IllegalArgumentException("cuda: a " + t.device() + " tensor " + t.shape() + " reached a GPU kernel");
        StreamCapture.hold(t.storage); // a graph being captured keeps every block its work reads or writes
        return t.storage.address;
    }

    /** Device pointer, or 0 for a CPU scalar passed by value. */
    private static long operand(Tensor t) {
        return t.device() == Device.CPU ? 0 : ptr(t);
    }

    private static void requireF32(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() != DType.F32) throw new UnsupportedOperationException("cuda: " + op + " on " + t.dtype() + " is not implemented");
        }
    }

    /** The Plan struct of kernels.cu: rank, dims, three operands' strides, their scalar values as float and int. */
    private static int[] plan(int[] dims, int[][] strides, Tensor... scalars) {
        if (dims.length > MAX_RANK) throw new UnsupportedOperationException("cuda: broadcast of rank " + dims.length + " > " + MAX_RANK);
        int[] w = new int[1 + MAX_RANK * 4 + 6];
        w[0] = dims.length;
        System.arraycopy(dims, 0, w, 1, dims.length);
        for (int o = 0; o < strides.length; o++) System.arraycopy(strides[o], 0, w, 1 + MAX_RANK * (o + 1), dims.length);
        for (int o = 0; o < scalars.length; o++) {
            Tensor t = scalars[o];
            if (t != null && t.device() == Device.CPU) {
                double v = t.get(0);
                w[1 + MAX_RANK * 4 + o] = Float.floatToRawIntBits((float) v);
                w[1 + MAX_RANK * 4 + 3 + o] = (int) v;
            }
        }
        return w;
    }

    /**
     * Whether operand {@code row} of the plan is (outer, 1, inner) or (inner) broadcast over the middle axis of a
     * contiguous (outer, mid, inner) operand {@code full}, as a bias over rows or a position table over a batch.
     */
    private static boolean rowwise(Broadcast p, int row, int full) {
        int r = p.dims.length;
        if (r < 2 || r > 3) return false;
        int inner = p.dims[r - 1], mid = p.dims[r - 2];
        int[] f = p.strides[full], b = p.strides[row];
        return f[r - 1] == 1 && f[r - 2] == inner && b[r - 1] == 1 && b[r - 2] == 0
                && (r == 2 || f[0] == mid * inner && b[0] == inner);
    }

    private static Broadcast broadcast(Shape out, Tensor... operands) {
        Shape[] shapes = new Shape[operands.length];
        for (int i = 0; i < operands.length; i++) shapes[i] = operands[i].shape();
        return Broadcast.of(out, shapes);
    }

    // ---- elementwise ----

    @Override
    public void unary(UnaryOp op, Tensor a, double param, Tensor out) {
        requireF32(op.name().toLowerCase(), a);
        if (out.size() == 0) return;
        k.launch("unary_f32", blocks(out.size()), THREADS,
                KernelArgs.start().i32(op.ordinal()).f32((float) param).ptr(ptr(a)).ptr(ptr(out)).ptr(out.size()));
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (out.size() == 0) return;
        boolean flatA = a.shape().equals(out.shape()) || a.device() == Device.CPU;
        boolean flatB = b.shape().equals(out.shape()) || b.device() == Device.CPU;
        if (out.dtype() == DType.F32 && flatA && flatB) {
            k.launch("binary_flat_f32", blocks(out.size()), THREADS, KernelArgs.start().i32(op.ordinal())
                    .ptr(operand(a)).f32(a.device() == Device.CPU ? (float) a.get(0) : 0f)
                    .ptr(operand(b)).f32(b.device() == Device.CPU ? (float) b.get(0) : 0f)
                    .ptr(ptr(out)).ptr(out.size()));
            return;
        }
        if (out.dtype() == DType.F64) throw new UnsupportedOperationException("cuda: float64 " + op);
        Broadcast p = broadcast(out.shape(), a, b);
        boolean swap = rowwise(p, 0, 1); // a is the operand read by row
        if (out.dtype() == DType.F32 && (swap || rowwise(p, 1, 0))) {
            int r = p.dims.length, inner = p.dims[r - 1], mid = p.dims[r - 2], rows = out.size() / inner;
            k.launch("binary_rows_f32", rowBlocks(rows), THREADS, KernelArgs.start().i32(op.ordinal()).ptr(ptr(swap ? b : a))
                    .ptr(ptr(swap ? a : b)).ptr(ptr(out)).i32(mid).i32(inner).i32(rows).i32(swap ? 1 : 0));
            return;
        }
        String name = out.dtype() == DType.F32 ? "binary_f32" : "binary_i32";
        k.launch(name, blocks(out.size()), THREADS, KernelArgs.start().i32(op.ordinal()).struct(plan(p.dims, p.strides, a, b))
                .ptr(operand(a)).ptr(operand(b)).ptr(ptr(out)).ptr(out.size()));
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        if (out.size() == 0) return;
        if (out.dtype() == DType.F64) throw new UnsupportedOperationException("cuda: float64 where");
        Broadcast p = broadcast(out.shape(), cond, a, b);
        long cf = cond.dtype() == DType.F32 ? operand(cond) : 0, ci = cond.dtype() == DType.I32 ? operand(cond) : 0;
        String name = out.dtype() == DType.F32 ? "where_f32" : "where_i32";
        k.launch(name, blocks(out.size()), THREADS, KernelArgs.start().struct(plan(p.dims, p.strides, cond, a, b))
                .ptr(cf).ptr(ci).ptr(operand(a)).ptr(operand(b)).ptr(ptr(out)).ptr(out.size()));
    }

    // ---- reductions ----

    @Override
    public void reduce(ReduceOp op, Tensor a, int axis, Tensor out) {
        requireF32("reduce", a);
        int outer = a.shape().outer(axis), n = a.shape().dim(axis), inner = a.shape().inner(axis);
        reduce(op, ptr(a), outer, n, inner, ptr(out));
    }

    /** Reduces the middle axis of an outer × n × inner block at {@code a} into outer × inner floats at {@code out}. */
    private void reduce(ReduceOp op, long a, int outer, int n, int inner, long out) {
        if ((long) outer * inner == 0) return;
        if (inner == 1) {
            k.launch("reduce_last_f32", rowBlocks(outer), THREADS, KernelArgs.start().i32(op.ordinal()).ptr(a).ptr(out).i32(outer).i32(n));
            return;
        }
        int columnBlocks = (inner + 31) / 32;
        long blocks = (long) columnBlocks * outer;
        int chunks = blocks >= 2L * sms || n <= 256 ? 1 : (int) Math.min((n + 63) / 64, (2L * sms + blocks - 1) / blocks);
        int len = (n + chunks - 1) / chunks;
        if (chunks == 1) {
            k.launch("reduce_mid_f32", columnBlocks, outer, 1, 32, 8, KernelArgs.start().i32(op.ordinal()).ptr(a).ptr(out)
                    .i32(outer).i32(n).i32(inner).i32(n));
            return;
        }
        Tensor partial = Tensor.empty(DType.F32, Shape.of(chunks, outer, inner), Device.CUDA);
        k.launch("reduce_mid_f32", columnBlocks, outer, chunks, 32, 8, KernelArgs.start().i32(op.ordinal()).ptr(a).ptr(ptr(partial))
                .i32(outer).i32(n).i32(inner).i32(len));
        reduce(op, ptr(partial), 1, chunks, outer * inner, out);
    }

    // ---- matrix products ----

    /** Products with outputs of at most this many elements (m·n) and k of at least {@link #SPLIT_MIN_K} are split along k. */
    private static final int SPLIT_MAX_OUT = 64 * 64;
    private static final int SPLIT_MIN_K = 8192;
    /** The least k a chunk of a split product takes. */
    private static final int SPLIT_MIN_CHUNK = 1024;
    /** The output tile of cuBLAS's FP32 kernels for these shapes (one block each). */
    private static final int TILE = 64;

    /**
     * How many chunks of k a product of {@code items} small outputs is split into (1: none). cuBLAS gives each output
     * tile one block, so a weight gradient of a narrow layer (P1's long sweep: Xᵀ G, 4 × 4 over k = 128 · 512) ran
     * on one block per ensemble member for 1.9 ms: outputs of one tile are split into chunks that divide k, about two
     * blocks per multiprocessor in all. Larger outputs of a batch of items with fewer tiles than multiprocessors (the
     * 128 × 128 weight gradients of P1's ensemble over k = 1024 · 20 rows: 4 tiles × 32 members, 0.8 ms each on the
     * H200) are split into about four blocks per multiprocessor. A single item (one model) stays with cuBLAS as before.
     */
    private int splitK(int m, int n, int kk, int items) {
        if (m == 1 || n == 1 || kk < SPLIT_MIN_K) return 1;
        long tiles = (long) ((m + TILE - 1) / TILE) * ((n + TILE - 1) / TILE), blocks;
        if ((long) m * n <= SPLIT_MAX_OUT) {
            tiles = 1;
            blocks = 2L * sms;
        } else if (items > 1 && tiles * items < sms) blocks = 4L * sms;
        else return 1;
        int want = (int) Math.min(kk / SPLIT_MIN_CHUNK, Math.max(1, (blocks + tiles * items - 1) / (tiles * items)));
        for (int c = want; c > 1; c--) if (kk % c == 0) return c;
        return 1;
    }

    /**
     * Items {@code [from, from + items)} of a batched product whose A and B advance by {@code da}, {@code db}, split into
     * {@code c} chunks of k: every chunk's product into a scratch (items, c, m·n), then summed over the chunks in order.
     */
    private void matmulSplit(long pa, long da, boolean transA, long pb, long db, boolean transB, long po, int items,
                             int m, int n, int kk, int c) {
        int kc = kk / c;
        long sa = transA ? (long) kc * m : kc, sb = transB ? kc : (long) kc * n; // element strides from chunk to chunk
        Tensor partial = Tensor.uninitialised(DType.F32, Shape.of(items, c, m * n), Device.CUDA);
        long pp = ptr(partial);
        if (items == 1 || (da == c * sa && db == c * sb)) { // the items' chunks advance by one stride: one call
            Cuda.sgemm(transA, transB, m, n, kc, kk, pa, sa, pb, sb, pp, (long) m * n, items * c);
        } else {
            for (int i = 0; i < items; i++) {
                Cuda.sgemm(transA, transB, m, n, kc, kk, pa + 4L * i * da, sa, pb + 4L * i * db, sb, pp + 4L * i * c * m * n,
                        (long) m * n, c);
            }
        }
        reduce(ReduceOp.SUM, pp, items, c, m * n, po);
    }

    @Override
    public void matmul(Tensor a, int[] aOffsets, boolean transA, Tensor b, int[] bOffsets, boolean transB, Tensor out,
                       int m, int n, int kk) {
        requireF32("matmul", a, b);
        if ((long) m * n == 0 || aOffsets.length == 0) return;
        if (kk == 0) {
            Cuda.zero(ptr(out), (long) out.size() * 4);
            return;
        }
        long pa = ptr(a), pb = ptr(b), po = ptr(out);
        // runs of batch items whose offsets advance by constant strides become one strided batched call each
        for (int i = 0; i < aOffsets.length; ) {
            int j = i + 1;
            long da = j < aOffsets.length ? aOffsets[j] - aOffsets[i] : 0, db = j < aOffsets.length ? bOffsets[j] - bOffsets[i] : 0;
            while (j < aOffsets.length && aOffsets[j] - aOffsets[j - 1] == da && bOffsets[j] - bOffsets[j - 1] == db) j++;
            int c = splitK(m, n, kk, j - i);
            if (c > 1) {
                matmulSplit(pa + 4L * aOffsets[i], da, transA, pb + 4L * bOffsets[i], db, transB, po + 4L * i * m * n, j - i, m, n, kk, c);
            } else {
                Cuda.sgemm(transA, transB, m, n, kk, pa + 4L * aOffsets[i], da, pb + 4L * bOffsets[i], db,
                        po + 4L * i * m * n, (long) m * n, j - i);
            }
            i = j;
        }
    }

    // ---- moving elements ----

    @Override
    public void permute(Tensor a, int[] perm, Tensor out) {
        if (out.size() == 0) return;
        if (a.dtype() == DType.F64) throw new UnsupportedOperationException("cuda: float64 permute");
        int[] inStrides = a.shape().strides();
        int[] s = new int[perm.length];
        for (int j = 0; j < perm.length; j++) s[j] = inStrides[perm[j]];
        String name = a.dtype() == DType.F32 ? "permute_f32" : "permute_i32";
        k.launch(name, blocks(out.size()), THREADS, KernelArgs.start().struct(plan(out.shape().dims(), new int[][] {s, new int[perm.length], new int[perm.length]}))
                .ptr(ptr(a)).ptr(ptr(out)).ptr(out.size()));
    }

    @Override
    public void slice(Tensor a, int axis, int start, Tensor out) {
        if (out.size() == 0) return;
        int n = a.shape().dim(axis), m = out.shape().dim(axis), inner = a.shape().inner(axis);
        String name = a.dtype() == DType.F32 ? "slice_f32" : "slice_i32";
        requireNot64("slice", a);
        k.launch(name, blocks(out.size()), THREADS, KernelArgs.start().ptr(ptr(a)).ptr(ptr(out)).i32(n).i32(m).i32(inner).i32(start).ptr(out.size()));
    }

    @Override
    public void insert(Tensor src, int axis, int start, Tensor out) {
        if (src.size() == 0) return;
        int n = out.shape().dim(axis), m = src.shape().dim(axis), inner = out.shape().inner(axis);
        String name = src.dtype() == DType.F32 ? "insert_f32" : "insert_i32";
        requireNot64("insert", src);
        k.launch(name, blocks(src.size()), THREADS, KernelArgs.start().ptr(ptr(src)).ptr(ptr(out)).i32(n).i32(m).i32(inner).i32(start).ptr(src.size()));
    }

    private static void requireNot64(String op, Tensor t) {
        if (t.dtype() == DType.F64) throw new UnsupportedOperationException("cuda: float64 " + op);
    }

    @Override
    public void gather(Tensor table, Tensor index, Tensor out, int groups) {
        requireF32("gather", table);
        if (out.size() == 0) return;
        int d = table.shape().dim(1);
        k.launch("gather_f32", blocks(out.size()), THREADS, KernelArgs.start().ptr(ptr(table)).ptr(ptr(index)).ptr(ptr(out)).i32(d)
                .i32(index.size() / groups).i32(table.shape().dim(0) / groups).ptr(out.size()));
    }

    @Override
    public boolean hasGatherAdd() {
        return true;
    }

    @Override
    public void gatherAdd(Tensor table, Tensor index, Tensor addend, Tensor out, int groups) {
        requireF32("gather", table, addend);
        if (out.size() == 0) return;
        int d = table.shape().dim(1);
        k.launch("gather_add_f32", blocks(out.size()), THREADS, KernelArgs.start().ptr(ptr(table)).ptr(ptr(index)).ptr(ptr(addend))
                .ptr(ptr(out)).i32(d).i32(index.size() / groups).i32(table.shape().dim(0) / groups).i32(addend.shape().dim(0) / groups)
                .ptr(out.size()));
    }

    @Override
    public void scatterAdd(Tensor src, Tensor index, Tensor out, int groups) {
        requireF32("scatterAdd", src);
        int count = index.size(), rows = out.shape().dim(0), d = src.shape().dim(1);
        if ((long) count * d == 0) return;
        int per = count / groups, v = rows / groups;
        if ((long) v * per > SCAN_WORK) {
            if (groups > 1) {
                Tensor whole = Tensor.empty(DType.I32, index.shape(), Device.CUDA); // the index as rows of the whole table
                k.launch("group_rows_i32", blocks(count), THREADS, KernelArgs.start().ptr(ptr(index)).ptr(ptr(whole)).i32(per).i32(v).i32(count));
                index = whole;
            }
            scatterSorted(src, index, out, count, rows, d);
            return;
        }
        // deterministic: per group, partial sums over chunks of its positions, then the chunks summed in order (a
        // group's chunks are those it has alone, so an ensemble member gets the bits of a single model)
        long cells = (long) v * d;
        int chunks = (int) Math.max(1, Math.min((per + 255) / 256, (4L * sms * THREADS + cells - 1) / cells));
        int len = (per + chunks - 1) / chunks;
        Tensor partial = Tensor.empty(DType.F32, Shape.of(groups, chunks, v, d), Device.CUDA);
        k.launch("scatter_scan_f32", blocks(cells), chunks, groups, THREADS, 1, KernelArgs.start().ptr(ptr(src)).ptr(ptr(index))
                .ptr(ptr(partial)).i32(per).i32(v).i32(d).i32(len));
        Tensor sum = Tensor.empty(DType.F32, Shape.of(rows, d), Device.CUDA);
        reduce(ReduceOp.SUM, ptr(partial), groups, chunks, (int) cells, ptr(sum));
        binary(BinaryOp.ADD, out, sum, out);
    }

    /** out[index[i]] += src[i] for tables of many rows: the index counting-sorted, rows added in ascending i as the CPU does. */
    private void scatterSorted(Tensor src, Tensor index, Tensor out, int count, int rows, int d) {
        Tensor counts = Tensor.zeros(DType.I32, Shape.of(rows), Device.CUDA); // (rows)
        Tensor starts = Tensor.empty(DType.I32, Shape.of(rows + 1), Device.CUDA); // (rows + 1)
        Tensor pos = Tensor.empty(DType.I32, Shape.of(count), Device.CUDA), sorted = Tensor.empty(DType.I32, Shape.of(count), Device.CUDA);
        k.launch("scatter_count_i32", blocks(count), THREADS, KernelArgs.start().ptr(ptr(index)).ptr(ptr(counts)).i32(count));
        k.launch("exclusive_scan_i32", 1, SCAN_THREADS, KernelArgs.start().ptr(ptr(counts)).ptr(ptr(starts)).i32(rows));
        Cuda.zero(ptr(counts), (long) rows * DType.I32.bytes); // now the rows' cursors
        k.launch("scatter_fill_i32", blocks(count), THREADS, KernelArgs.start().ptr(ptr(index)).ptr(ptr(starts)).ptr(ptr(counts)).ptr(ptr(pos)).i32(count));
        k.launch("scatter_order_i32", blocks(count), THREADS, KernelArgs.start().ptr(ptr(index)).ptr(ptr(starts)).ptr(ptr(pos)).ptr(ptr(sorted)).i32(count));
        k.launch("scatter_rows_f32", blocks((long) count * d), THREADS, KernelArgs.start().ptr(ptr(src)).ptr(ptr(index)).ptr(ptr(starts))
                .ptr(ptr(sorted)).ptr(ptr(out)).i32(d).ptr((long) count * d));
    }

    // ---- fused neural-network ops ----

    @Override
    public void softmax(Tensor a, Tensor out, boolean log) {
        requireF32("softmax", a);
        int d = a.shape().rank() == 0 ? 1 : a.shape().dim(-1);
        int rows = d == 0 ? 0 : a.size() / d;
        if (rows == 0) return;
        k.launch("softmax_f32", rowBlocks(rows), THREADS, KernelArgs.start().ptr(ptr(a)).ptr(ptr(out)).i32(rows).i32(d).i32(log ? 1 : 0));
    }

    /** Threads of an attention block: four warps, each taking query rows in turn. */
    private static final int ATTENTION_THREADS = 128;

    /** Dynamic shared memory of attention_f32 in bytes: K, V with rows padded to dh + 1, a q and a P row per warp. */
    private static long attentionShared(int s, int dh) {
        return attentionShared(s, dh, false);
    }

    /** As above, K alone when the values are the keys (one tensor). */
    private static long attentionShared(int s, int dh, boolean keysAreValues) {
        return 4 * ((keysAreValues ? 1L : 2L) * s * (dh + 1) + (ATTENTION_THREADS / 32) * (long) (dh + s));
    }

    /**
     * Dynamic shared memory of attention_backward_f32 in bytes: Q, G, K, V with rows padded to dh + 1, then P and dS
     * when {@code staged}, else a dS row per warp (P and dS then stay in global memory).
     */
    private static long attentionBackwardShared(int t, int s, int dh, boolean staged) {
        return attentionBackwardShared(t, s, dh, staged, false);
    }

    /** As above, K alone when the values are the keys (one tensor, staged once). */
    private static long attentionBackwardShared(int t, int s, int dh, boolean staged, boolean keysAreValues) {
        return 4 * ((2L * t + (keysAreValues ? 1L : 2L) * s) * (dh + 1) + (staged ? 2L * t * s : (ATTENTION_THREADS / 32) * (long) s));
    }

    /** Dynamic shared memory of attention_double_backward_f32 in bytes: K, V, A_k, A_v with rows padded to dh + 1. */
    private static long attentionDoubleBackwardShared(int s, int dh) {
        return 4 * 4L * s * (dh + 1);
    }

    /** Whether the fused forward, backward and double backward all fit (a recorded backward may be differentiated again). */
    @Override
    public boolean fitsAttention(int t, int s, int dh) {
        long limit = Cuda.sharedMemoryPerBlock();
        return attentionShared(s, dh) <= limit && attentionBackwardShared(t, s, dh, false) <= limit
                && attentionDoubleBackwardShared(s, dh) <= limit;
    }

    private static int attentionPairs(Tensor q, int heads) {
        int t = q.dim(-2), w = q.dim(-1);
        return t * w == 0 ? 0 : q.size() / (t * w) * heads;
    }

    @Override
    public void attention(Tensor q, Tensor key, Tensor value, int heads, double scale, boolean causal, Tensor z, Tensor p) {
        requireF32("attention", q, key, value);
        int pairs = attentionPairs(q, heads), t = q.dim(-2), s = key.dim(-2), dh = q.dim(-1) / heads;
        if (pairs == 0) return;
        k.launch("attention_f32", Math.min(pairs, 1 << 20), 1, 1, ATTENTION_THREADS, 1, (int) attentionShared(s, dh, ptr(key) == ptr(value)),
                KernelArgs.start().ptr(ptr(q)).ptr(ptr(key)).ptr(ptr(value)).ptr(ptr(z)).ptr(p == null ? 0 : ptr(p)).i32(pairs).i32(heads)
                        .i32(t).i32(s).i32(dh).f32((float) scale).i32(causal ? 1 : 0));
    }

    @Override
    public void attentionBackward(Tensor gz, Tensor q, Tensor key, Tensor value, Tensor p, int heads, double scale,
                                  boolean causal, Tensor dq, Tensor dk, Tensor dv) {
        requireF32("attention backward", gz, q, key, value, p);
        int pairs = attentionPairs(q, heads), t = q.dim(-2), s = key.dim(-2), dh = q.dim(-1) / heads;
        if (pairs == 0) return;
        // P and dS staged in shared memory where they fit with K and V apart (so keys that are the values take the same
        // path, with the same bits); longer sequences keep dS in a scratch (pairs, T, S)
        boolean staged = attentionBackwardShared(t, s, dh, true) <= Cuda.sharedMemoryPerBlock();
        Tensor scratch = staged ? null : Tensor.uninitialised(DType.F32, Shape.of(pairs, t, s), Device.CUDA);
        k.launch("attention_backward_f32", Math.min(pairs, 1 << 20), 1, 1, ATTENTION_THREADS, 1,
                (int) attentionBackwardShared(t, s, dh, staged, ptr(key) == ptr(value)), KernelArgs.start().ptr(ptr(gz)).ptr(ptr(q)).ptr(ptr(key))
                        .ptr(ptr(value)).ptr(ptr(p)).ptr(ptr(dq)).ptr(ptr(dk)).ptr(ptr(dv)).ptr(staged ? 0 : ptr(scratch))
                        .i32(pairs).i32(heads).i32(t).i32(s).i32(dh).f32((float) scale));
    }

    @Override
    public void attentionDoubleBackward(Tensor aq, Tensor ak, Tensor av, Tensor gz, Tensor q, Tensor key, Tensor value,
                                        Tensor p, int heads, double scale, Tensor gg, Tensor gq, Tensor gk, Tensor gv) {
        requireF32("attention double backward", aq, ak, av, gz, q, key, value, p);
        int pairs = attentionPairs(q, heads), t = q.dim(-2), s = key.dim(-2), dh = q.dim(-1) / heads;
        if (pairs == 0) return;
        Tensor scratch = Tensor.empty(DType.F32, Shape.of(3, pairs, t, s), Device.CUDA); // Δ, E, Ψ
        k.launch("attention_double_backward_f32", Math.min(pairs, 1 << 20), 1, 1, ATTENTION_THREADS, 1,
                (int) attentionDoubleBackwardShared(s, dh), KernelArgs.start().ptr(ptr(aq)).ptr(ptr(ak)).ptr(ptr(av)).ptr(ptr(gz)).ptr(ptr(q)).ptr(ptr(key)).ptr(ptr(value))
                        .ptr(ptr(p)).ptr(ptr(gg)).ptr(ptr(gq)).ptr(ptr(gk)).ptr(ptr(gv)).ptr(ptr(scratch)).i32(pairs).i32(heads)
                        .i32(t).i32(s).i32(dh).f32((float) scale));
    }

    private static int perMember(int rows, int d, Tensor gamma) {
        return gamma == null ? Math.max(1, rows) : Math.max(1, rows / Math.max(1, gamma.size() / Math.max(1, d)));
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd) {
        requireF32("layerNorm", x, gamma, beta);
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        if (rows == 0) return;
        k.launch("layer_norm_f32", rowBlocks(rows), THREADS, KernelArgs.start().ptr(ptr(x)).ptr(ptr(gamma)).ptr(ptr(beta))
                .f32((float) eps).ptr(ptr(out)).ptr(ptr(mean)).ptr(ptr(rstd)).i32(rows).i32(d).i32(perMember(rows, d, gamma)));
    }

    @Override
    public boolean hasFusedRows() {
        return true;
    }

    @Override
    public void addLayerNorm(Tensor x, Tensor a, Tensor bias, Tensor gamma, Tensor beta, double eps, Tensor s, Tensor out,
                             Tensor mean, Tensor rstd) {
        requireF32("add + layer norm", x, a, bias, gamma, beta);
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        if (rows == 0) return;
        k.launch("add_layer_norm_f32", rowBlocks(rows), THREADS, KernelArgs.start().ptr(ptr(x)).ptr(ptr(a)).ptr(ptr(bias))
                .ptr(ptr(gamma)).ptr(ptr(beta)).f32((float) eps).ptr(ptr(s)).ptr(ptr(out)).ptr(ptr(mean)).ptr(ptr(rstd))
                .i32(rows).i32(d).i32(perMember(rows, d, gamma)));
    }

    @Override
    public void biasRelu(Tensor u, Tensor bias, Tensor out) {
        requireF32("bias + relu", u, bias);
        int d = u.shape().dim(-1);
        if (out.size() == 0) return;
        k.launch("bias_relu_f32", blocks(out.size()), THREADS, KernelArgs.start().ptr(ptr(u)).ptr(ptr(bias)).ptr(ptr(out)).i32(d)
                .i32(perMember(u.size() / d, d, bias)).ptr(out.size()));
    }

    /** Threads of a layer_norm_backward_rows_f32 block: eight warps, a row each in turn. */
    private static final int LN_ROWS_THREADS = 256;

    @Override
    public void layerNormBackward(Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx, Tensor dgamma,
                                  Tensor dbeta) {
        requireF32("layerNorm backward", g, x, gamma);
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        if (rows == 0) {
            if (dgamma != null) {
                Cuda.zero(ptr(dgamma), (long) dgamma.size() * 4);
                Cuda.zero(ptr(dbeta), (long) dbeta.size() * 4);
            }
            return;
        }
        int per = perMember(rows, d, gamma);
        if (dgamma != null && d <= 8 * 32) { // dγ and dβ summed by the kernel per chunk of rows, then over the chunks
            int members = rows / per, chunks = (int) Math.max(1, Math.min((per + 63) / 64, (4L * sms + members - 1) / members));
            int len = (per + chunks - 1) / chunks;
            chunks = (per + len - 1) / len;
            Tensor pg = Tensor.empty(DType.F32, Shape.of(members, chunks, d), Device.CUDA), pb = Tensor.empty(DType.F32, Shape.of(members, chunks, d), Device.CUDA);
            k.launch("layer_norm_backward_rows_f32", chunks, members, 1, LN_ROWS_THREADS, 1, LN_ROWS_THREADS / 32 * 2 * d * 4,
                    KernelArgs.start().ptr(ptr(g)).ptr(ptr(x)).ptr(ptr(gamma)).ptr(ptr(mean)).ptr(ptr(rstd)).ptr(ptr(dx))
                            .ptr(ptr(pg)).ptr(ptr(pb)).i32(per).i32(d).i32(len));
            reduce(ReduceOp.SUM, ptr(pg), members, chunks, d, ptr(dgamma));
            reduce(ReduceOp.SUM, ptr(pb), members, chunks, d, ptr(dbeta));
            return;
        }
        Tensor gx = dgamma == null ? null : Tensor.empty(DType.F32, x.shape(), Device.CUDA);
        k.launch("layer_norm_backward_f32", rowBlocks(rows), THREADS, KernelArgs.start().ptr(ptr(g)).ptr(ptr(x)).ptr(ptr(gamma))
                .ptr(ptr(mean)).ptr(ptr(rstd)).ptr(ptr(dx)).ptr(ptr(gx)).i32(rows).i32(d).i32(per));
        if (dgamma != null) {
            int members = rows / per;
            reduce(ReduceOp.SUM, ptr(gx), members, per, d, ptr(dgamma));
            reduce(ReduceOp.SUM, ptr(g), members, per, d, ptr(dbeta));
        }
    }

    @Override
    public void layerNormDoubleBackward(Tensor a, Tensor c, Tensor b, Tensor g, Tensor x, Tensor gamma, Tensor mean,
                                        Tensor rstd, Tensor gg, Tensor gx, Tensor ggamma) {
        requireF32("layerNorm double backward", a, c, b, g, x, gamma);
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        if (rows == 0) {
            if (ggamma != null) Cuda.zero(ptr(ggamma), (long) ggamma.size() * 4);
            return;
        }
        int per = perMember(rows, d, gamma);
        Tensor gpart = ggamma == null ? null : Tensor.empty(DType.F32, x.shape(), Device.CUDA);
        k.launch("layer_norm_double_backward_f32", rowBlocks(rows), THREADS, KernelArgs.start().ptr(ptr(a)).ptr(ptr(c)).ptr(ptr(b))
                .ptr(ptr(g)).ptr(ptr(x)).ptr(ptr(gamma)).ptr(ptr(mean)).ptr(ptr(rstd)).ptr(ptr(gg)).ptr(ptr(gx)).ptr(ptr(gpart))
                .i32(rows).i32(d).i32(per));
        if (ggamma != null) reduce(ReduceOp.SUM, ptr(gpart), rows / per, per, d, ptr(ggamma));
    }

    /**
     * Reduced QR of the (…, m, n) matrices of a (m ≥ n) into q (…, m, n), r (…, n, n) with diag r > 0, and
     * rInvT = r⁻ᵀ: one block per matrix, Gram–Schmidt with reorthogonalisation in double precision.
     */
    void qr(Tensor a, Tensor q, Tensor r, Tensor rInvT) {
        requireF32("qr", a);
        int m = a.shape().dim(-2), n = a.shape().dim(-1);
        int count = a.size() / (m * n), threads = 128;
        if (count == 0) return;
        int shared = 8 * (m + 2 * n + threads);
        k.launch("qr_f32", Math.min(count, MAX_BLOCKS), 1, 1, threads, 1, shared,
                KernelArgs.start().ptr(ptr(a)).ptr(ptr(q)).ptr(ptr(r)).ptr(ptr(rInvT)).i32(m).i32(n).i32(count));
    }

    /** out = tril(M) + tril(M, −1)ᵀ for the (…, n, n) matrices of a. */
    void copyltu(Tensor a, Tensor out) {
        requireF32("copyltu", a);
        if (a.size() == 0) return;
        k.launch("copyltu_f32", blocks(a.size()), THREADS, KernelArgs.start().ptr(ptr(a)).ptr(ptr(out)).i32(a.shape().dim(-1)).ptr(a.size()));
    }

    @Override
    public double squaredErrorSum(Tensor a, Tensor b) {
        requireF32("squaredErrorSum", a, b);
        if (a.size() == 0) return 0;
        int nb = Math.min(1024, blocks(a.size()));
        Tensor partial = Tensor.empty(DType.F32, Shape.of(2 * nb + 2), Device.CUDA);
        k.launch("squared_error_partial_f32", nb, THREADS, KernelArgs.start().ptr(ptr(a)).ptr(ptr(b)).ptr(ptr(partial)).ptr(a.size()));
        return total(partial, nb);
    }

    @Override
    public double[] squaredSums(Tensor a, int groups) {
        requireF32("squaredSums", a);
        double[] sq = new double[groups];
        if (a.size() == 0) return sq;
        long per = a.size() / groups;
        int nb = (int) Math.min(256, (per + THREADS - 1) / THREADS);
        Tensor partial = Tensor.empty(DType.F32, Shape.of(2 * groups * nb), Device.CUDA); // room for groups·nb doubles
        k.launch("squares_partial_f32", groups * nb, THREADS, KernelArgs.start().ptr(ptr(a)).ptr(ptr(partial)).ptr(per).i32(nb));
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var host = arena.allocate(8L * groups * nb, 8);
            Cuda.copyToHost(ptr(partial), host, 8L * groups * nb);
            for (int b = 0; b < groups * nb; b++) sq[b / nb] += host.getAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE, b);
        }
        return sq;
    }

    @Override
    public double pickSum(Tensor logp, Tensor target) {
        requireF32("pickSum", logp);
        if (target.size() == 0) return 0;
        int nb = Math.min(1024, blocks(target.size()));
        Tensor partial = Tensor.empty(DType.F32, Shape.of(2 * nb + 2), Device.CUDA);
        k.launch("pick_partial_f32", nb, THREADS, KernelArgs.start().ptr(ptr(logp)).ptr(ptr(target)).ptr(ptr(partial))
                .i32(logp.shape().dim(1)).ptr(target.size()));
        return total(partial, nb);
    }

    /** Adds nb double partials (at the start of {@code partial}) on the device and reads the total back. */
    private double total(Tensor partial, int nb) {
        long sum = ptr(partial) + 8L * nb;
        k.launch("sum_f64", 1, 1024, KernelArgs.start().ptr(ptr(partial)).ptr(sum).i32(nb));
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var host = arena.allocate(8, 8);
            Cuda.copyToHost(sum, host, 8);
            return host.get(java.lang.foreign.ValueLayout.JAVA_DOUBLE, 0);
        }
    }

    @Override
    public void convert(Tensor a, Tensor out) {
        if (out.size() == 0) return;
        if (a.dtype() == out.dtype()) {
            Cuda.copyOnDevice(ptr(a), ptr(out), (long) a.size() * a.dtype().bytes);
        } else if (a.dtype() == DType.F32 && out.dtype() == DType.I32) {
            k.launch("convert_f32_i32", blocks(a.size()), THREADS, KernelArgs.start().ptr(ptr(a)).ptr(ptr(out)).ptr(a.size()));
        } else if (a.dtype() == DType.I32 && out.dtype() == DType.F32) {
            k.launch("convert_i32_f32", blocks(a.size()), THREADS, KernelArgs.start().ptr(ptr(a)).ptr(ptr(out)).ptr(a.size()));
        } else {
            throw new UnsupportedOperationException("cuda: convert " + a.dtype() + " to " + out.dtype());
        }
    }

    // ---- in-place updates ----

    /** Per-member float factors on the device, cached while the values repeat (the same lr every step). */
    private final PerMember factors = new PerMember();

    private static final class PerMember {
        private double[] key;
        private Tensor value;

        synchronized Tensor of(double[] values) {
            if (!Arrays.equals(values, key)) {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
                value = Tensor.of(f, f.length).to(Device.CUDA);
                key = values.clone();
            }
            return value;
        }
    }

    @Override
    public void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double[] lr, double beta1, double beta2, double eps,
                      double weightDecay, long step) {
        requireF32("adamw", p, g, m, v);
        if (p.size() == 0) return;
        double bc1 = 1 - StrictMath.pow(beta1, step);
        float bc2Sqrt = (float) StrictMath.sqrt(1 - StrictMath.pow(beta2, step));
        // per member: decay = 1 − lr·wd and −lr/bc1, rounded from double as the CPU kernel does
        double[] coef = new double[2 * lr.length];
        for (int e = 0; e < lr.length; e++) {
            coef[e] = 1 - lr[e] * weightDecay;
            coef[lr.length + e] = -(lr[e] / bc1);
        }
        long table = lr.length == 1 ? 0 : ptr(factors.of(coef));
        k.launch("adamw_f32", blocks(p.size()), THREADS, KernelArgs.start().ptr(ptr(p)).ptr(ptr(g)).ptr(ptr(m)).ptr(ptr(v))
                .ptr(table).i32(lr.length).f32((float) coef[0]).f32((float) coef[lr.length]).i32(p.size() / lr.length)
                .f32((float) (1 - beta1)).f32((float) beta2).f32((float) (1 - beta2)).f32((float) eps).f32(bc2Sqrt).ptr(p.size()));
    }

    /** Tensors per launch of adamw_many_f32 (its AdamwTensors struct, passed by value). */
    private static final int ADAMW_MANY = 48;

    @Override
    public void adamwAll(List<Tensor[]> tensors, double[] lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        for (Tensor[] t : tensors) requireF32("adamw", t);
        double bc1 = 1 - StrictMath.pow(beta1, step);
        float bc2Sqrt = (float) StrictMath.sqrt(1 - StrictMath.pow(beta2, step));
        double[] coef = new double[2 * lr.length]; // as adamw: per member 1 − lr·wd and −lr/bc1
        for (int e = 0; e < lr.length; e++) {
            coef[e] = 1 - lr[e] * weightDecay;
            coef[lr.length + e] = -(lr[e] / bc1);
        }
        long table = lr.length == 1 ? 0 : ptr(factors.of(coef));
        List<Tensor[]> live = tensors.stream().filter(t -> t[0].size() > 0).toList();
        for (int from = 0; from < live.size(); from += ADAMW_MANY) {
            List<Tensor[]> chunk = live.subList(from, Math.min(live.size(), from + ADAMW_MANY));
            long total = 0;
            for (Tensor[] t : chunk) total += t[0].size();
            k.launch("adamw_many_f32", blocks((int) total), THREADS, KernelArgs.start().struct(adamwTensors(chunk, lr.length)).ptr(table)
                    .i32(lr.length).f32((float) coef[0]).f32((float) coef[lr.length]).f32((float) (1 - beta1)).f32((float) beta2)
                    .f32((float) (1 - beta2)).f32((float) eps).f32(bc2Sqrt));
        }
    }

    /** The kernel's AdamwTensors: element offsets, then p, g, m and v pointers, members' inner sizes, the count (as 32-bit words). */
    private int[] adamwTensors(List<Tensor[]> chunk, int members) {
        int[] w = new int[2 * (ADAMW_MANY + 1) + 8 * ADAMW_MANY + ADAMW_MANY + 2];
        long start = 0;
        for (int j = 0; j <= chunk.size(); j++) {
            putLong(w, 2 * j, start);
            if (j < chunk.size()) start += chunk.get(j)[0].size();
        }
        for (int j = chunk.size() + 1; j <= ADAMW_MANY; j++) putLong(w, 2 * j, start);
        int pointers = 2 * (ADAMW_MANY + 1);
        for (int j = 0; j < chunk.size(); j++) {
            Tensor[] t = chunk.get(j);
            for (int q = 0; q < 4; q++) putLong(w, pointers + 2 * (q * ADAMW_MANY + j), ptr(t[q]));
            w[pointers + 8 * ADAMW_MANY + j] = t[0].size() / members;
        }
        w[pointers + 9 * ADAMW_MANY] = chunk.size();
        return w;
    }

    private static void putLong(int[] words, int at, long value) {
        words[at] = (int) value; // little-endian, as the device reads it
        words[at + 1] = (int) (value >>> 32);
    }

    @Override
    public void sgd(Tensor p, Tensor g, Tensor buf, double[] lr, double momentum, double dampening, double weightDecay,
                    boolean nesterov, boolean firstStep) {
        requireF32("sgd", p, g, buf);
        if (p.size() == 0) return;
        double[] negLr = new double[lr.length];
        for (int e = 0; e < lr.length; e++) negLr[e] = -lr[e];
        long table = lr.length == 1 ? 0 : ptr(factors.of(negLr));
        k.launch("sgd_f32", blocks(p.size()), THREADS, KernelArgs.start().ptr(ptr(p)).ptr(ptr(g)).ptr(ptr(buf)).ptr(table)
                .f32((float) negLr[0]).i32(p.size() / lr.length).f32((float) momentum).f32((float) (1 - dampening))
                .f32((float) weightDecay).i32(nesterov ? 1 : 0).i32(firstStep ? 1 : 0).ptr(p.size()));
    }

    @Override
    public void scale(Tensor t, double[] c) {
        requireF32("scale", t);
        if (t.size() == 0) return;
        long table = c.length == 1 ? 0 : ptr(factors.of(c));
        k.launch("scale_f32", blocks(t.size()), THREADS, KernelArgs.start().ptr(ptr(t)).ptr(table).f32((float) c[0])
                .i32(t.size() / c.length).ptr(t.size()));
    }
}
