// biaslab's CUDA kernels: one per Backend operation, compiled by NVRTC on first use (CudaKernels prepends the
// op-code #defines generated from the Java enums). Tensors are contiguous and row-major; float32 unless the name
// says i32. Every kernel walks its elements with a grid-stride loop, so any grid size is correct.
#define MAXR 8

typedef long long i64;

// Tensors hold fewer than 2^31 elements (Java int sizes), so index arithmetic is 32-bit: 64-bit division would
// make the broadcasting kernels compute-bound.
// Broadcast plan of up to three operands onto the output (see tensor/Broadcast.java): merged dims and, per
// operand, element strides (0 where broadcast). A null operand pointer means "the scalar value v[o]".
struct Plan {
    int rank;
    int dims[MAXR];
    int s[3][MAXR];
    float v[3];
    int vi[3];
};

__device__ __forceinline__ void offsets(const Plan& p, unsigned i, unsigned* o) {
    o[0] = o[1] = o[2] = 0;
    for (int d = p.rank - 1; d >= 0; d--) {
        unsigned dim = (unsigned) p.dims[d];
        unsigned c = i % dim;
        i /= dim;
        o[0] += c * (unsigned) p.s[0][d];
        o[1] += c * (unsigned) p.s[1][d];
        o[2] += c * (unsigned) p.s[2][d];
    }
}

#define GRID_STRIDE(i, n) for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned) (n); i += blockDim.x * gridDim.x)

#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f
#define GELU_TANH_C 0.79788456080286536f

__device__ float unary_op(int op, float x, float p) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_SQRT: return sqrtf(x);
        case U_ABS: return fabsf(x);
        case U_SIGN: return x > 0.f ? 1.f : (x < 0.f ? -1.f : x);
        case U_TANH: return tanhf(x);
        case U_SIGMOID: return x >= 0.f ? 1.f / (1.f + expf(-x)) : expf(x) / (1.f + expf(x));
        case U_RELU: return x > 0.f ? x : 0.f;
        case U_ERF: return erff(x);
        case U_POW: return powf(x, p);
        case U_GELU: return 0.5f * x * (1.f + erff(x * INV_SQRT2));
        case U_GELU_DERIV: return 0.5f * (1.f + erff(x * INV_SQRT2)) + x * INV_SQRT_2PI * expf(-0.5f * x * x);
        case U_GELU_DERIV2: return INV_SQRT_2PI * expf(-0.5f * x * x) * (2.f - x * x);
        case U_GELU_TANH: return 0.5f * x * (1.f + tanhf(GELU_TANH_C * (x + 0.044715f * x * x * x)));
        case U_GELU_TANH_DERIV: {
            float t = tanhf(GELU_TANH_C * (x + 0.044715f * x * x * x));
            return 0.5f * (1.f + t) + 0.5f * x * (1.f - t * t) * GELU_TANH_C * (1.f + 3.f * 0.044715f * x * x);
        }
    }
    return __int_as_float(0x7fc00000);
}

template <typename T> __device__ T binary_op(int op, T a, T b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return (T) pow((double) a, (double) b);
        case B_MAXIMUM: return a != a ? a : (b != b ? b : (a > b ? a : b));
        case B_MINIMUM: return a != a ? a : (b != b ? b : (a < b ? a : b));
        case B_EQ: return a == b ? (T) 1 : (T) 0;
        case B_GT: return a > b ? (T) 1 : (T) 0;
        case B_GE: return a >= b ? (T) 1 : (T) 0;
        case B_LT: return a < b ? (T) 1 : (T) 0;
        case B_LE: return a <= b ? (T) 1 : (T) 0;
    }
    return (T) 0;
}

template <> __device__ float binary_op<float>(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return powf(a, b);
        case B_MAXIMUM: return a != a ? a : (b != b ? b : fmaxf(a, b));
        case B_MINIMUM: return a != a ? a : (b != b ? b : fminf(a, b));
        case B_EQ: return a == b ? 1.f : 0.f;
        case B_GT: return a > b ? 1.f : 0.f;
        case B_GE: return a >= b ? 1.f : 0.f;
        case B_LT: return a < b ? 1.f : 0.f;
        case B_LE: return a <= b ? 1.f : 0.f;
    }
    return 0.f;
}

extern "C" __global__ void unary_f32(int op, float p, const float* a, float* out, i64 n) {
    GRID_STRIDE(i, n) out[i] = unary_op(op, a[i], p);
}

// out = op(a, b) for same-shape operands, or with a scalar (null pointer) on either side.
extern "C" __global__ void binary_flat_f32(int op, const float* a, float va, const float* b, float vb, float* out, i64 n) {
    GRID_STRIDE(i, n) out[i] = binary_op<float>(op, a ? a[i] : va, b ? b[i] : vb);
}

// out = op(a, b) over rows·inner elements where one operand is full and the other, b (or a when swap), is broadcast
// over mid consecutive rows: row r reads its row r / mid (a bias over rows, a position table over a batch). A warp
// per row: one division per row instead of a division per dimension and element.
extern "C" __global__ void binary_rows_f32(int op, const float* full, const float* rowwise, float* out, int mid, int inner,
                                           int rows, int swap) {
    int lane = threadIdx.x & 31;
    for (i64 r = ((i64) blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += ((i64) gridDim.x * blockDim.x) >> 5) {
        const float* x = full + r * inner;
        const float* y = rowwise + (r / mid) * inner;
        float* o = out + r * inner;
        for (int j = lane; j < inner; j += 32) o[j] = swap ? binary_op<float>(op, y[j], x[j]) : binary_op<float>(op, x[j], y[j]);
    }
}

// Operand o of a broadcast kernel at offset off, or the plan's scalar for a null pointer.
template <typename T> __device__ __forceinline__ T operand(const Plan& p, int o, const T* x, unsigned off);
template <> __device__ __forceinline__ float operand<float>(const Plan& p, int o, const float* x, unsigned off) {
    return x ? x[off] : p.v[o];
}
template <> __device__ __forceinline__ int operand<int>(const Plan& p, int o, const int* x, unsigned off) {
    return x ? x[off] : p.vi[o];
}

template <typename T> __device__ void binary(int op, const Plan& p, const T* a, const T* b, T* out, i64 n) {
    GRID_STRIDE(i, n) {
        unsigned o[3];
        offsets(p, i, o);
        out[i] = binary_op<T>(op, operand<T>(p, 0, a, o[0]), operand<T>(p, 1, b, o[1]));
    }
}

// out = cond != 0 ? a : b; cond is float32 (cf) or int32 (ci), or the scalar p.v[0].
template <typename T> __device__ void where(const Plan& p, const float* cf, const int* ci, const T* a, const T* b, T* out, i64 n) {
    GRID_STRIDE(i, n) {
        unsigned o[3];
        offsets(p, i, o);
        bool c = cf ? cf[o[0]] != 0.f : (ci ? ci[o[0]] != 0 : p.v[0] != 0.f);
        out[i] = c ? operand<T>(p, 1, a, o[1]) : operand<T>(p, 2, b, o[2]);
    }
}

#define BROADCAST_KERNELS(T, S) \
    extern "C" __global__ void binary_##S(int op, Plan p, const T* a, const T* b, T* out, i64 n) { \
        binary<T>(op, p, a, b, out, n); \
    } \
    extern "C" __global__ void where_##S(Plan p, const float* cf, const int* ci, const T* a, const T* b, T* out, i64 n) { \
        where<T>(p, cf, ci, a, b, out, n); \
    }

BROADCAST_KERNELS(float, f32)
BROADCAST_KERNELS(int, i32)

__device__ __forceinline__ float combine(int op, float acc, float v) {
    if (op == R_SUM) return acc + v;
    return (v != v || v > acc) ? v : acc;  // MAX propagates NaN
}

__device__ __forceinline__ float combine_nan(int op, float x, float y) {
    if (op == R_SUM) return x + y;
    if (x != x) return x;
    if (y != y) return y;
    return x > y ? x : y;
}

__device__ __forceinline__ float identity(int op) {
    return op == R_SUM ? 0.f : __int_as_float(0xff800000);
}

__device__ __forceinline__ float warp_reduce(int op, float v) {
    for (int off = 16; off > 0; off >>= 1) v = combine_nan(op, v, __shfl_xor_sync(0xffffffff, v, off));
    return v;
}

// Reduces the last axis: rows × n -> rows; one warp per row.
extern "C" __global__ void reduce_last_f32(int op, const float* a, float* out, int rows, int n) {
    int lane = threadIdx.x & 31;
    for (i64 r = ((i64) blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += ((i64) gridDim.x * blockDim.x) >> 5) {
        const float* row = a + r * n;
        float acc = identity(op);
        for (int k = lane; k < n; k += 32) acc = combine(op, acc, row[k]);
        acc = warp_reduce(op, acc);
        if (lane == 0) out[r] = acc;
    }
}

// Reduces the middle axis of outer × n × inner over k in [chunk·len, (chunk+1)·len): blocks of 32 × 8 threads,
// 32 consecutive inner indices per block; out is chunks × outer × inner (chunk = blockIdx.z).
extern "C" __global__ void reduce_mid_f32(int op, const float* a, float* out, int outer, int n, int inner, int len) {
    __shared__ float part[8][33];
    int i = blockIdx.x * 32 + threadIdx.x;
    int o = blockIdx.y;
    int k0 = blockIdx.z * len, k1 = min(n, k0 + len);
    float acc = identity(op);
    if (i < inner) {
        for (int k = k0 + threadIdx.y; k < k1; k += 8) acc = combine(op, acc, a[((i64) o * n + k) * inner + i]);
    }
    part[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && i < inner) {
        float s = part[0][threadIdx.x];
        for (int y = 1; y < 8; y++) s = combine_nan(op, s, part[y][threadIdx.x]);
        out[((i64) blockIdx.z * outer + o) * inner + i] = s;
    }
}

// out[i] = a[(o·n + start)·inner + r] for slices along an axis; insert is the reverse. Element-moving kernels are
// templates, instantiated for float32 and int32 below.
template <typename T> __device__ void slice(const T* a, T* out, int n, int m, int inner, int start, i64 total) {
    GRID_STRIDE(i, total) {
        unsigned o = i / ((unsigned) m * inner), r = i % ((unsigned) m * inner);
        out[i] = a[((unsigned) o * n + start) * inner + r];
    }
}

template <typename T> __device__ void insert(const T* src, T* out, int n, int m, int inner, int start, i64 total) {
    GRID_STRIDE(i, total) {
        unsigned o = i / ((unsigned) m * inner), r = i % ((unsigned) m * inner);
        out[((unsigned) o * n + start) * inner + r] = src[i];
    }
}

// out dimension j is a's dimension perm[j]: p.dims are out's dims, p.s[0] a's strides permuted to out's order.
template <typename T> __device__ void permute(const Plan& p, const T* a, T* out, i64 n) {
    GRID_STRIDE(i, n) {
        unsigned o[3];
        offsets(p, i, o);
        out[i] = a[o[0]];
    }
}

#define MOVING_KERNELS(T, S) \
    extern "C" __global__ void slice_##S(const T* a, T* out, int n, int m, int inner, int start, i64 total) { \
        slice<T>(a, out, n, m, inner, start, total); \
    } \
    extern "C" __global__ void insert_##S(const T* src, T* out, int n, int m, int inner, int start, i64 total) { \
        insert<T>(src, out, n, m, inner, start, total); \
    } \
    extern "C" __global__ void permute_##S(Plan p, const T* a, T* out, i64 n) { \
        permute<T>(p, a, out, n); \
    }

MOVING_KERNELS(float, f32)
MOVING_KERNELS(int, i32)

// out[i, :] = table[g·v + index[i], :], position i in group g = i / per (one group: per = count, v unused)
extern "C" __global__ void gather_f32(const float* table, const int* index, float* out, int d, int per, int v, i64 total) {
    GRID_STRIDE(i, total) {
        unsigned r = i / (unsigned) d;
        out[i] = table[((r / (unsigned) per) * (unsigned) v + (unsigned) index[r]) * d + i % (unsigned) d];
    }
}

// gather_f32 plus row (g·P + r mod P) of addend on row r of group g: P1's projected token table plus its projected
// positions in one pass.
extern "C" __global__ void gather_add_f32(const float* table, const int* index, const float* addend, float* out, int d, int per,
                                          int v, int period, i64 total) {
    GRID_STRIDE(i, total) {
        unsigned r = i / (unsigned) d, g = r / (unsigned) per, j = i % (unsigned) d;
        out[i] = table[(g * (unsigned) v + (unsigned) index[r]) * d + j] + addend[(g * (unsigned) period + r % (unsigned) period) * d + j];
    }
}

// Partial sums for out[g·rows + index[i], j] += src[i, j] without atomics: thread (r, j) of chunk c = blockIdx.y of
// group g = blockIdx.z adds, in order, the rows i of [c·len, (c+1)·len) of its group's count positions with
// index[i] = r, so the result does not depend on scheduling, and a group's sums are those it gets alone.
// For tables of few rows per group (P1's vocabularies, an ensemble's); the counting sort below otherwise.
extern "C" __global__ void scatter_scan_f32(const float* src, const int* index, float* partial, int count, int rows, int d, int len) {
    int i0 = blockIdx.y * len, i1 = min(count, i0 + len);
    src += (i64) blockIdx.z * count * d;
    index += (i64) blockIdx.z * count;
    partial += ((i64) blockIdx.z * gridDim.y + blockIdx.y) * rows * d;
    GRID_STRIDE(t, (i64) rows * d) {
        unsigned r = t / (unsigned) d, j = t % (unsigned) d;
        float acc = 0.f;
        // the other rows' positions add +0, which leaves every sum's bits as skipping them would (acc starts at +0, so
        // it is never −0); without a branch the unrolled loads are all in flight at once instead of one at a time
#pragma unroll 8
        for (int i = i0; i < i1; i++) acc += index[i] == (int) r ? src[(unsigned) i * d + j] : 0.f;
        partial[t] = acc;
    }
}

// index[i] + g·v for position i of group g = i / per: a grouped index as rows of the whole table
extern "C" __global__ void group_rows_i32(const int* index, int* out, int per, int v, int count) {
    GRID_STRIDE(i, count) out[i] = index[i] + (int) (i / (unsigned) per) * v;
}

// Scatter into tables of many rows, deterministically: a counting sort groups the positions i by row index[i], in
// ascending order within a row, and each output cell then adds its rows in that order. Integer atomics give the same
// counts in any order; the float additions are the CPU's (out, then i ascending), so the bits equal the CPU's.
// 1. counts[r] = |{i : index[i] = r}|
extern "C" __global__ void scatter_count_i32(const int* index, int* counts, int count) {
    GRID_STRIDE(i, count) atomicAdd(counts + index[i], 1);
}

// 2. out[0..n] = the exclusive prefix sums of in[0..n), out[n] the total; one block: each thread sums a run of in,
// the runs' totals are scanned in shared memory (blockDim.x ≤ 1024), then each thread writes its run's prefixes.
extern "C" __global__ void exclusive_scan_i32(const int* in, int* out, int n) {
    __shared__ int totals[1024];
    int t = threadIdx.x, per = (n + blockDim.x - 1) / blockDim.x;
    int lo = min(n, t * per), hi = min(n, lo + per), s = 0;
    for (int i = lo; i < hi; i++) s += in[i];
    totals[t] = s;
    __syncthreads();
    for (int off = 1; off < blockDim.x; off <<= 1) {
        int v = t >= off ? totals[t - off] : 0;
        __syncthreads();
        totals[t] += v;
        __syncthreads();
    }
    int acc = totals[t] - s;
    for (int i = lo; i < hi; i++) {
        out[i] = acc;
        acc += in[i];
    }
    if (t == blockDim.x - 1) out[n] = totals[t];
}

// 3. each row's positions into its slot [starts[r], starts[r+1]) of pos, in arbitrary order (cursor zeroed)
extern "C" __global__ void scatter_fill_i32(const int* index, const int* starts, int* cursor, int* pos, int count) {
    GRID_STRIDE(i, count) {
        int r = index[i];
        pos[starts[r] + atomicAdd(cursor + r, 1)] = (int) i;
    }
}

// 4. sorted: each slot ascending; an entry's place is the number of smaller entries in its slot
extern "C" __global__ void scatter_order_i32(const int* index, const int* starts, const int* pos, int* sorted, int count) {
    GRID_STRIDE(k, count) {
        int i = pos[k], r = index[i], lo = starts[r], hi = starts[r + 1], rank = 0;
        for (int m = lo; m < hi; m++) rank += pos[m] < i;
        sorted[lo + rank] = i;
    }
}

// 5. thread (k, j), k the first entry of its row's slot: out[r, j] += src[i, j] for the slot's i in order
extern "C" __global__ void scatter_rows_f32(const float* src, const int* index, const int* starts, const int* sorted, float* out,
                                            int d, i64 total) {
    GRID_STRIDE(t, total) {
        unsigned k = t / (unsigned) d, j = t % (unsigned) d;
        int r = index[sorted[k]];
        if (starts[r] != (int) k) continue;
        int hi = starts[r + 1];
        float* o = out + (i64) r * d + j;
        float acc = *o;
        for (int m = k; m < hi; m++) acc += src[(i64) sorted[m] * d + j];
        *o = acc;
    }
}

// Softmax or log-softmax over rows of length d, one warp per row.
extern "C" __global__ void softmax_f32(const float* a, float* out, int rows, int d, int log) {
    int lane = threadIdx.x & 31;
    for (i64 r = ((i64) blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += ((i64) gridDim.x * blockDim.x) >> 5) {
        const float* x = a + r * d;
        float* y = out + r * d;
        float mx = __int_as_float(0xff800000);
        for (int j = lane; j < d; j += 32) mx = fmaxf(mx, x[j]);
        mx = warp_reduce(R_MAX, mx);
        float s = 0.f;
        for (int j = lane; j < d; j += 32) s += expf(x[j] - mx);
        s = warp_reduce(R_SUM, s);
        if (log) {
            float ls = logf(s);
            for (int j = lane; j < d; j += 32) y[j] = x[j] - mx - ls;
        } else {
            float inv = 1.f / s;
            for (int j = lane; j < d; j += 32) y[j] = expf(x[j] - mx) * inv;
        }
    }
}

// Layer norm over rows of length d (one warp per row); gamma/beta rows advance every perMember rows (ensembles).
extern "C" __global__ void layer_norm_f32(const float* x, const float* gamma, const float* beta, float eps, float* out,
                                          float* mean, float* rstd, int rows, int d, int perMember) {
    int lane = threadIdx.x & 31;
    for (i64 r = ((i64) blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += ((i64) gridDim.x * blockDim.x) >> 5) {
        const float* xr = x + r * d;
        float s = 0.f;
        for (int j = lane; j < d; j += 32) s += xr[j];
        float mu = warp_reduce(R_SUM, s) / d;
        float v = 0.f;
        for (int j = lane; j < d; j += 32) {
            float c = xr[j] - mu;
            v += c * c;
        }
        float rs = 1.f / sqrtf(warp_reduce(R_SUM, v) / d + eps);
        i64 g = (r / perMember) * d;
        for (int j = lane; j < d; j += 32) {
            float y = (xr[j] - mu) * rs;
            out[r * d + j] = gamma ? y * gamma[g + j] + beta[g + j] : y;
        }
        if (lane == 0) {
            mean[r] = mu;
            rstd[r] = rs;
        }
    }
}

// layer_norm_f32 of s = x + (a + bias) in one pass, the sums in the composed ops' order (so their bits): a row of
// the bias for every perMember rows, as gamma and beta. s is written when not null (a backward pass reads it); a
// row of up to 8 · 32 features stays in registers between the mean, the variance and the output.
extern "C" __global__ void add_layer_norm_f32(const float* x, const float* a, const float* bias, const float* gamma,
                                              const float* beta, float eps, float* s, float* out, float* mean, float* rstd,
                                              int rows, int d, int perMember) {
    int lane = threadIdx.x & 31;
    for (i64 r = ((i64) blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += ((i64) gridDim.x * blockDim.x) >> 5) {
        i64 g = (r / perMember) * d;
        float held[8];
        float sum = 0.f;
        for (int j = lane, u = 0; j < d; j += 32, u++) {
            float v = x[r * d + j] + (a[r * d + j] + bias[g + j]);
            if (u < 8) held[u] = v;
            if (s) s[r * d + j] = v;
            sum += v;
        }
        float mu = warp_reduce(R_SUM, sum) / d;
        float var = 0.f;
        for (int j = lane, u = 0; j < d; j += 32, u++) {
            float c = (u < 8 ? held[u] : x[r * d + j] + (a[r * d + j] + bias[g + j])) - mu;
            var += c * c;
        }
        float rs = 1.f / sqrtf(warp_reduce(R_SUM, var) / d + eps);
        for (int j = lane, u = 0; j < d; j += 32, u++) {
            float y = ((u < 8 ? held[u] : x[r * d + j] + (a[r * d + j] + bias[g + j])) - mu) * rs;
            out[r * d + j] = y * gamma[g + j] + beta[g + j];
        }
        if (lane == 0) {
            mean[r] = mu;
            rstd[r] = rs;
        }
    }
}

// relu(u + bias) in one pass, a row of the bias for every perMember rows of d.
extern "C" __global__ void bias_relu_f32(const float* u, const float* bias, float* out, int d, int perMember, i64 total) {
    GRID_STRIDE(i, total) {
        unsigned r = i / (unsigned) d, j = i % (unsigned) d;
        out[i] = unary_op(U_RELU, u[i] + bias[(r / (unsigned) perMember) * d + j], 0.f);
    }
}

// dx of layer norm, and g·x̂ into gx (when not null) for dγ, which the caller reduces over rows.
extern "C" __global__ void layer_norm_backward_f32(const float* g, const float* x, const float* gamma, const float* mean,
                                                   const float* rstd, float* dx, float* gx, int rows, int d, int perMember) {
    int lane = threadIdx.x & 31;
    for (i64 r = ((i64) blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += ((i64) gridDim.x * blockDim.x) >> 5) {
        float mu = mean[r], rs = rstd[r];
        i64 go = (r / perMember) * d;
        float sdy = 0.f, sdyx = 0.f;
        for (int j = lane; j < d; j += 32) {
            float xh = (x[r * d + j] - mu) * rs;
            float gj = g[r * d + j];
            float dy = gamma ? gj * gamma[go + j] : gj;
            sdy += dy;
            sdyx += dy * xh;
            if (gx) gx[r * d + j] = gj * xh;
        }
        sdy = warp_reduce(R_SUM, sdy);
        sdyx = warp_reduce(R_SUM, sdyx);
        for (int j = lane; j < d; j += 32) {
            float xh = (x[r * d + j] - mu) * rs;
            float gj = g[r * d + j];
            float dy = gamma ? gj * gamma[go + j] : gj;
            dx[r * d + j] = rs * (dy - sdy / d - xh * sdyx / d);
        }
    }
}

// layer_norm_backward_f32 with dγ and dβ summed as it goes, for rows of up to 8 · 32 features: block (c, e) takes
// rows c·len … (c + 1)·len − 1 of the per rows of γ-row e, a warp per row in turn; each lane adds g·x̂ and g over its
// rows for its features, the block adds its warps' sums in order and writes one row of each partial (E, chunks, d),
// which the caller sums over the chunks in order: no g·x̂ written for a separate reduction, and no second read of g.
extern "C" __global__ void layer_norm_backward_rows_f32(const float* g, const float* x, const float* gamma, const float* mean,
                                                        const float* rstd, float* dx, float* pgamma, float* pbeta, int per,
                                                        int d, int len) {
    extern __shared__ float sm[]; // per warp: its g·x̂ sums (d), then its g sums (d)
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5, warps = blockDim.x >> 5, e = blockIdx.y, c = blockIdx.x;
    i64 r0 = (i64) e * per + (i64) c * len, r1 = (i64) e * per + min((i64) (c + 1) * len, (i64) per), go = (i64) e * d;
    float sg[8], sb[8];
#pragma unroll
    for (int u = 0; u < 8; u++) sg[u] = sb[u] = 0.f;
    for (i64 r = r0 + w; r < r1; r += warps) {
        float mu = mean[r], rs = rstd[r];
        float sdy = 0.f, sdyx = 0.f, xh[8], dy[8]; // the row's x̂ and γ ⊙ g stay in registers for dx
#pragma unroll
        for (int u = 0; u < 8; u++) {
            int j = lane + 32 * u;
            if (j < d) {
                xh[u] = (x[r * d + j] - mu) * rs;
                float gj = g[r * d + j];
                dy[u] = gamma ? gj * gamma[go + j] : gj;
                sdy += dy[u];
                sdyx += dy[u] * xh[u];
                sg[u] += gj * xh[u];
                sb[u] += gj;
            }
        }
        sdy = warp_reduce(R_SUM, sdy);
        sdyx = warp_reduce(R_SUM, sdyx);
#pragma unroll
        for (int u = 0; u < 8; u++) {
            int j = lane + 32 * u;
            if (j < d) dx[r * d + j] = rs * (dy[u] - sdy / d - xh[u] * sdyx / d);
        }
    }
#pragma unroll
    for (int u = 0; u < 8; u++) {
        int j = lane + 32 * u;
        if (j < d) {
            sm[w * 2 * d + j] = sg[u];
            sm[w * 2 * d + d + j] = sb[u];
        }
    }
    __syncthreads();
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        float a = 0.f, b = 0.f;
        for (int v = 0; v < warps; v++) {
            a += sm[v * 2 * d + j];
            b += sm[v * 2 * d + d + j];
        }
        pgamma[((i64) e * gridDim.x + c) * d + j] = a;
        pbeta[((i64) e * gridDim.x + c) * d + j] = b;
    }
}

// Second derivatives of layer norm (NeuralOps.layerNormDoubleBackward), one warp per row: from the cotangents a of dx
// and c, b of dγ, dβ (null without γ), gg and gx, and r·g ⊙ P a into gpart (when not null) for ∂/∂γ, which the
// caller reduces over rows. gx holds u until the row's means of u are known.
extern "C" __global__ void layer_norm_double_backward_f32(const float* a, const float* c, const float* b, const float* g,
                                                          const float* x, const float* gamma, const float* mean,
                                                          const float* rstd, float* gg, float* gx, float* gpart, int rows,
                                                          int d, int perMember) {
    int lane = threadIdx.x & 31;
    for (i64 r = ((i64) blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += ((i64) gridDim.x * blockDim.x) >> 5) {
        float mu = mean[r], rs = rstd[r];
        i64 o = r * d, go = (r / perMember) * d;
        float m1 = 0.f, m2 = 0.f, am = 0.f, ma = 0.f, ag = 0.f;
        for (int j = lane; j < d; j += 32) {
            float xh = (x[o + j] - mu) * rs, gh = gamma ? g[o + j] * gamma[go + j] : g[o + j], aj = a[o + j];
            m1 += gh;
            m2 += gh * xh;
            am += aj;
            ma += aj * xh;
            ag += aj * gh;
        }
        m1 = warp_reduce(R_SUM, m1) / d;
        m2 = warp_reduce(R_SUM, m2) / d;
        am = warp_reduce(R_SUM, am) / d;
        ma = warp_reduce(R_SUM, ma) / d;
        float sr = warp_reduce(R_SUM, ag) - d * am * m1 - d * ma * m2;
        float mu1 = 0.f, mu2 = 0.f;
        for (int j = lane; j < d; j += 32) {
            float xh = (x[o + j] - mu) * rs, gj = g[o + j], aj = a[o + j];
            float gam = gamma ? gamma[go + j] : 1.f, gh = gj * gam, pa = aj - am - xh * ma;
            gg[o + j] = gamma ? rs * gam * pa + c[go + j] * xh + b[go + j] : rs * pa;
            if (gpart) gpart[o + j] = rs * gj * pa;
            float u = (gamma ? c[go + j] * gj : 0.f) - rs * (m2 * aj + ma * gh);
            gx[o + j] = u;
            mu1 += u;
            mu2 += u * xh;
        }
        mu1 = warp_reduce(R_SUM, mu1) / d;
        mu2 = warp_reduce(R_SUM, mu2) / d;
        float tail = rs * rs * sr / d;
        for (int j = lane; j < d; j += 32) {
            float xh = (x[o + j] - mu) * rs;
            gx[o + j] = rs * (gx[o + j] - mu1 - xh * mu2) - tail * xh;
        }
    }
}

__device__ double block_sum(double v) {
    __shared__ double part[32];
    for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffff, v, off);
    int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
    if (lane == 0) part[w] = v;
    __syncthreads();
    v = threadIdx.x < (blockDim.x >> 5) ? part[threadIdx.x] : 0.0;
    if (w == 0) for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffff, v, off);
    return v;
}

// Per-block double partial sums of (a − b)², then of logp[i, target[i]]; sum_f64 adds the partials in one block.
extern "C" __global__ void squared_error_partial_f32(const float* a, const float* b, double* partial, i64 n) {
    double s = 0.0;
    GRID_STRIDE(i, n) {
        double d = (double) a[i] - (double) b[i];
        s += d * d;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// Block b sums x² over its share of group b / nb (of per elements each) into partial[b]; the host adds the partials.
extern "C" __global__ void squares_partial_f32(const float* a, double* partial, i64 per, int nb) {
    const float* g = a + (blockIdx.x / nb) * per;
    double s = 0.0;
    for (i64 i = (i64) (blockIdx.x % nb) * blockDim.x + threadIdx.x; i < per; i += (i64) nb * blockDim.x) {
        double v = g[i];
        s += v * v;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

extern "C" __global__ void pick_partial_f32(const float* logp, const int* target, double* partial, int c, i64 rows) {
    double s = 0.0;
    GRID_STRIDE(i, rows) s += (double) logp[i * (unsigned) c + target[i]];
    s = block_sum(s);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

extern "C" __global__ void sum_f64(const double* partial, double* out, int n) {
    double s = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) s += partial[i];
    s = block_sum(s);
    if (threadIdx.x == 0) out[0] = s;
}

extern "C" __global__ void convert_f32_i32(const float* a, int* out, i64 n) {
    GRID_STRIDE(i, n) out[i] = (int) a[i];
}

extern "C" __global__ void convert_i32_f32(const int* a, float* out, i64 n) {
    GRID_STRIDE(i, n) out[i] = (float) a[i];
}

// Optimiser updates in the float32 op order of CpuBackend (PyTorch's); element i belongs to member i / inner,
// whose factors come from a per-member table (null when all members share decay0, negStep0 or c0).
extern "C" __global__ void adamw_f32(float* p, const float* g, float* m, float* v, const float* coef, int members,
                                     float decay0, float negStep0, int inner, float w, float b2, float c2, float eps,
                                     float bc2Sqrt, i64 n) {
    GRID_STRIDE(i, n) {
        unsigned e = i / (unsigned) inner;
        float decay = coef ? coef[e] : decay0, negStep = coef ? coef[members + e] : negStep0;
        float gi = g[i], mi0 = m[i];
        float mi = w < 0.5f ? fmaf(w, gi - mi0, mi0) : fmaf(w - 1.f, gi - mi0, gi);
        float vi = v[i] * b2 + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decay + negStep * mi / (sqrtf(vi) / bc2Sqrt + eps);
    }
}

// adamw_f32 over up to ADAMW_MANY tensors in one launch (all of a step's parameters): element i of the
// concatenation belongs to the tensor j with start[j] <= i < start[j + 1]; the arithmetic is adamw_f32's.
#define ADAMW_MANY 48
struct AdamwTensors {
    i64 start[ADAMW_MANY + 1];
    float* p[ADAMW_MANY];
    const float* g[ADAMW_MANY];
    float* m[ADAMW_MANY];
    float* v[ADAMW_MANY];
    int inner[ADAMW_MANY];
    int count;
    int pad;
};

extern "C" __global__ void adamw_many_f32(AdamwTensors t, const float* coef, int members, float decay0, float negStep0,
                                          float w, float b2, float c2, float eps, float bc2Sqrt) {
    GRID_STRIDE(i, t.start[t.count]) {
        int lo = 0, hi = t.count - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >> 1;
            if (t.start[mid] <= (i64) i) lo = mid; else hi = mid - 1;
        }
        unsigned k = i - (unsigned) t.start[lo], e = k / (unsigned) t.inner[lo];
        float decay = coef ? coef[e] : decay0, negStep = coef ? coef[members + e] : negStep0;
        float* p = t.p[lo];
        float* m = t.m[lo];
        float* v = t.v[lo];
        float gi = t.g[lo][k], mi0 = m[k];
        float mi = w < 0.5f ? fmaf(w, gi - mi0, mi0) : fmaf(w - 1.f, gi - mi0, gi);
        float vi = v[k] * b2 + c2 * gi * gi;
        m[k] = mi;
        v[k] = vi;
        p[k] = p[k] * decay + negStep * mi / (sqrtf(vi) / bc2Sqrt + eps);
    }
}

extern "C" __global__ void sgd_f32(float* p, const float* g, float* buf, const float* negLr, float negLr0, int inner,
                                   float momentum, float keep, float wd, int nesterov, int first, i64 n) {
    GRID_STRIDE(i, n) {
        float rate = negLr ? negLr[i / (unsigned) inner] : negLr0;
        float d = wd != 0.f ? fmaf(wd, p[i], g[i]) : g[i];
        if (buf) {
            float b = first ? d : fmaf(keep, d, buf[i] * momentum);
            buf[i] = b;
            d = nesterov ? fmaf(momentum, b, d) : b;
        }
        p[i] = fmaf(rate, d, p[i]);
    }
}

extern "C" __global__ void scale_f32(float* t, const float* c, float c0, int inner, i64 n) {
    GRID_STRIDE(i, n) t[i] *= c ? c[i / (unsigned) inner] : c0;
}

// rows × dh floats of one head (row stride width, from offset off) into shared rows padded to ld, by the whole block:
// four floats per load where dh, width and off allow it (a quarter of the load instructions, so more bytes in flight).
__device__ __forceinline__ void load_rows(const float* src, i64 off, int rows, int dh, int width, float* dst, int ld) {
    if (((dh | width) & 3) == 0 && (off & 3) == 0 && ((unsigned long long) src & 15) == 0) {
        int n4 = dh >> 2;
        for (int i = threadIdx.x; i < rows * n4; i += blockDim.x) {
            int r = i / n4, c = (i % n4) << 2;
            float4 x = *(const float4*) (src + off + (i64) r * width + c);
            float* d = dst + r * ld + c;
            d[0] = x.x;
            d[1] = x.y;
            d[2] = x.z;
            d[3] = x.w;
        }
    } else {
        for (int i = threadIdx.x; i < rows * dh; i += blockDim.x) {
            int r = i / dh, j = i % dh;
            dst[r * ld + j] = src[off + (i64) r * width + j];
        }
    }
}

// out[j] = Σ_s w[s]·m[s·ld + j] for j < dh, by one warp: a weight row (S) times a head's keys or values (S × dh, rows
// padded to ld). Narrow heads (dh < 16, e.g. P1's long sweep with dh 2) spread the keys over the lanes and add them
// in a warp reduction; wider heads give each lane a feature and add the keys in order.
__device__ __forceinline__ void row_times_rows(const float* w, const float* m, int S, int dh, int ld, float* out, int lane) {
    if (dh < 16) {
        for (int j = 0; j < dh; j++) {
            float a = 0.f;
            for (int s = lane; s < S; s += 32) a += w[s] * m[s * ld + j];
            a = warp_reduce(R_SUM, a);
            if (lane == 0) out[j] = a;
        }
    } else {
        for (int j = lane; j < dh; j += 32) {
            float a = 0.f;
            for (int s = 0; s < S; s++) a += w[s] * m[s * ld + j];
            out[j] = a;
        }
    }
}

// Fused attention, one (item n, head h) pair per block iteration: z = softmax(scale·q kᵀ) v, keys j > t + S − T
// masked when causal. q, z: (N, T, H·dh); k, v: (N, S, H·dh); p: (N, H, T, S). Dynamic shared memory: this head's
// K and V rows, padded to dh + 1 floats so that lanes reading a column hit distinct banks, then per warp a q row
// (dh) and a probability row (S).
extern "C" __global__ void attention_f32(const float* q, const float* k, const float* v, float* z, float* p, int pairs,
                                         int heads, int T, int S, int dh, float scale, int causal) {
    extern __shared__ float sm[];
    int w = threadIdx.x >> 5, lane = threadIdx.x & 31, warps = blockDim.x >> 5, ld = dh + 1, width = heads * dh;
    float* ks = sm;
    float* vs = k == v ? ks : ks + S * ld; // keys that are the values (P1's readout query) are staged once
    float* qs = vs + S * ld + w * (dh + S);
    float* ps = qs + dh;
    for (int pair = blockIdx.x; pair < pairs; pair += gridDim.x) {
        int n = pair / heads, h = pair % heads;
        i64 qo = (i64) n * T * width + h * dh, ko = (i64) n * S * width + h * dh;
        load_rows(k, ko, S, dh, width, ks, ld);
        if (vs != ks) load_rows(v, ko, S, dh, width, vs, ld);
        __syncthreads();
        for (int t = w; t < T; t += warps) {
            for (int j = lane; j < dh; j += 32) qs[j] = q[qo + (i64) t * width + j];
            __syncwarp();
            int last = causal ? t + S - T : S - 1;
            float mx = __int_as_float(0xff800000);
            for (int s = lane; s < S; s += 32) {
                float a = 0.f;
                for (int j = 0; j < dh; j++) a += qs[j] * ks[s * ld + j];
                a = s <= last ? a * scale : __int_as_float(0xff800000);
                ps[s] = a;
                mx = fmaxf(mx, a);
            }
            mx = warp_reduce(R_MAX, mx);
            float sum = 0.f;
            for (int s = lane; s < S; s += 32) {
                float e = expf(ps[s] - mx);
                ps[s] = e;
                sum += e;
            }
            float inv = 1.f / warp_reduce(R_SUM, sum);
            float* pr = p ? p + ((i64) pair * T + t) * S : nullptr; // null: no backward pass reads them
            for (int s = lane; s < S; s += 32) {
                float e = ps[s] * inv;
                ps[s] = e;
                if (pr) pr[s] = e;
            }
            __syncwarp();
            row_times_rows(ps, vs, S, dh, ld, z + qo + (i64) t * width, lane);
            __syncwarp();
        }
        __syncthreads();
    }
}

// out[r, :] = Σ_m c[m·cm + r·cr] · x[m, :] for r < R, m < M in order, for rows x (M × dh, padded to ld) of 33–64
// features in shared memory: lane l holds features l and l + 32 of ROWS outputs r = w, w + warps, … at a time, so each x
// element read from shared memory serves ROWS outputs instead of one. The sums are those of a loop per element.
#define ROWS 5
__device__ __forceinline__ void coef_times_rows(const float* c, int cm, int cr, const float* x, int M, int R, int dh, int ld,
                                                float* out, int width, int w, int warps, int lane) {
    bool hi = lane + 32 < dh;
    for (int base = 0; base < R; base += warps * ROWS) {
        float a0[ROWS], a1[ROWS];
#pragma unroll
        for (int u = 0; u < ROWS; u++) a0[u] = a1[u] = 0.f;
        for (int m = 0; m < M; m++) {
            float x0 = x[m * ld + lane], x1 = hi ? x[m * ld + lane + 32] : 0.f;
#pragma unroll
            for (int u = 0; u < ROWS; u++) {
                int r = base + w + warps * u;
                if (r < R) {
                    float k = c[m * cm + r * cr];
                    a0[u] += k * x0;
                    a1[u] += k * x1;
                }
            }
        }
#pragma unroll
        for (int u = 0; u < ROWS; u++) {
            int r = base + w + warps * u;
            if (r < R) {
                out[(i64) r * width + lane] = a0[u];
                if (hi) out[(i64) r * width + lane + 32] = a1[u];
            }
        }
    }
}

// Gradient of attention_f32 per (item, head) pair from gz and the saved p: dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale with
// dP = G Vᵀ; dQ = dS K (a warp per query row), then dK = dSᵀ Q and dV = Pᵀ G (a thread per element, summing over
// queries in order: no atomics). Shared: Q, G (T rows) and K, V (S rows) padded to dh + 1, then, when scratch is
// null, P and dS (T × S). Longer sequences pass scratch (pairs, T, S) for dS, read P where it is and form each dS
// row in a per-warp row of shared memory (warps × S) before storing it: the same arithmetic in the same order, so the
// same bits, with the T × S matrices in global memory.
extern "C" __global__ void attention_backward_f32(const float* gz, const float* q, const float* k, const float* v,
                                                  const float* p, float* dq, float* dk, float* dv, float* scratch,
                                                  int pairs, int heads, int T, int S, int dh, float scale) {
    extern __shared__ float sm[];
    int w = threadIdx.x >> 5, lane = threadIdx.x & 31, warps = blockDim.x >> 5, ld = dh + 1, width = heads * dh;
    float* qs = sm;
    float* gs = qs + T * ld;
    float* ks = gs + T * ld;
    float* vs = k == v ? ks : ks + S * ld; // keys that are the values staged once
    for (int pair = blockIdx.x; pair < pairs; pair += gridDim.x) {
        const float* pb = p + (i64) pair * T * S;
        const float* ps = scratch ? pb : vs + S * ld;
        float* ds = scratch ? scratch + (i64) pair * T * S : vs + S * ld + T * S;
        float* row = vs + S * ld + w * S; // this warp's dS row while it is formed, when dS lives in scratch
        bool wide = !scratch && dh >= 32 && dh <= 64; // dS in shared memory and 32–64 features: the blocked products
        bool apart = wide && dv; // dK and dV blocked; their sum (dv null: keys and values one tensor) a thread per element
        int n = pair / heads, h = pair % heads;
        i64 qo = (i64) n * T * width + h * dh, ko = (i64) n * S * width + h * dh;
        load_rows(q, qo, T, dh, width, qs, ld);
        load_rows(gz, qo, T, dh, width, gs, ld);
        load_rows(k, ko, S, dh, width, ks, ld);
        if (vs != ks) load_rows(v, ko, S, dh, width, vs, ld);
        if (!scratch) for (int i = threadIdx.x; i < T * S; i += blockDim.x) vs[S * ld + i] = pb[i];
        __syncthreads();
        for (int t = w; t < T; t += warps) {
            float* dr = scratch ? row : ds + t * S;
            float r = 0.f;
            for (int s = lane; s < S; s += 32) {
                float a = 0.f;
                for (int j = 0; j < dh; j++) a += gs[t * ld + j] * vs[s * ld + j];
                dr[s] = a;
                r += ps[t * S + s] * a;
            }
            r = warp_reduce(R_SUM, r);
            for (int s = lane; s < S; s += 32) {
                float x = ps[t * S + s] * (dr[s] - r) * scale;
                dr[s] = x;
                if (scratch) ds[t * S + s] = x;
            }
            __syncwarp();
            if (!wide) row_times_rows(dr, ks, S, dh, ld, dq + qo + (i64) t * width, lane);
            __syncwarp();
        }
        __syncthreads();
        if (wide) coef_times_rows(ds, 1, S, ks, S, T, dh, ld, dq + qo, width, w, warps, lane); // dQ = dS K
        if (apart) {
            coef_times_rows(ds, S, 1, qs, T, S, dh, ld, dk + ko, width, w, warps, lane); // dK = dSᵀ Q
            coef_times_rows(ps, S, 1, gs, T, S, dh, ld, dv + ko, width, w, warps, lane); // dV = Pᵀ G
        } else {
            for (int i = threadIdx.x; i < S * dh; i += blockDim.x) {
                int s = i / dh, j = i % dh;
                float a = 0.f, b = 0.f;
                for (int t = 0; t < T; t++) {
                    a += ds[t * S + s] * qs[t * ld + j];
                    b += ps[t * S + s] * gs[t * ld + j];
                }
                if (dv) {
                    dk[ko + (i64) s * width + j] = a;
                    dv[ko + (i64) s * width + j] = b;
                } else {
                    dk[ko + (i64) s * width + j] = a + b;
                }
            }
        }
        __syncthreads();
    }
}

// Second derivatives of attention_backward_f32 (FusedAttention.doubleBackward's formulas) per (item, head) pair, one
// block per pair: a warp per query row forms its rows of dP = G Vᵀ, W = scale·(A_q Kᵀ + Q A_kᵀ) and U (lanes over
// keys), keeps Δ, E, Ψ in the scratch (3, pairs, T, S) and writes ∂/∂G and ∂/∂Q (lanes over features); after the
// block's barrier, a thread per key element sums ∂/∂K and ∂/∂V over queries in order (no atomics). The pair's K, V,
// A_k and A_v rows are staged in dynamic shared memory (4·S·(dh + 1) floats, rows padded so that lanes reading
// different keys hit different banks); the query-side rows are read by a whole warp at once from global memory.
extern "C" __global__ void attention_double_backward_f32(const float* aq, const float* ak, const float* av, const float* gz,
                                                         const float* q, const float* k, const float* v, const float* p,
                                                         float* gg, float* gq, float* gk, float* gv, float* scratch,
                                                         int pairs, int heads, int T, int S, int dh, float scale) {
    extern __shared__ float sm[];
    int w = threadIdx.x >> 5, lane = threadIdx.x & 31, warps = blockDim.x >> 5, width = heads * dh, ld = dh + 1;
    float* ks = sm;
    float* vs = ks + S * ld;
    float* aks = vs + S * ld;
    float* avs = aks + S * ld;
    i64 plane = (i64) pairs * T * S;
    for (int pair = blockIdx.x; pair < pairs; pair += gridDim.x) {
        int n = pair / heads, h = pair % heads;
        i64 qo = (i64) n * T * width + h * dh, ko = (i64) n * S * width + h * dh;
        for (int i = threadIdx.x; i < S * dh; i += blockDim.x) {
            int s = i / dh, j = i % dh;
            i64 y = ko + (i64) s * width + j;
            ks[s * ld + j] = k[y];
            vs[s * ld + j] = v[y];
            aks[s * ld + j] = ak[y];
            avs[s * ld + j] = av[y];
        }
        __syncthreads();
        const float* pp = p + (i64) pair * T * S;
        float* delta = scratch + (i64) pair * T * S;
        float* e = delta + plane;
        float* psi = e + plane;
        for (int t = w; t < T; t += warps) {
            const float* gr = gz + qo + (i64) t * width;
            const float* aqr = aq + qo + (i64) t * width;
            const float* qr = q + qo + (i64) t * width;
            const float* pr = pp + (i64) t * S;
            float rho = 0.f, sigma = 0.f;
            for (int s = lane; s < S; s += 32) {
                const float* kr = ks + s * ld;
                const float* vr = vs + s * ld;
                const float* akr = aks + s * ld;
                const float* avr = avs + s * ld;
                float dp = 0.f, wt = 0.f, u = 0.f;
                for (int j = 0; j < dh; j++) {
                    dp += gr[j] * vr[j];
                    wt += aqr[j] * kr[j] + qr[j] * akr[j];
                    u += gr[j] * avr[j];
                }
                wt *= scale;
                delta[t * S + s] = dp; // dP, W and G A_vᵀ until ρ and σ are known
                e[t * S + s] = wt;
                psi[t * S + s] = u;
                rho += pr[s] * dp;
                sigma += pr[s] * wt;
            }
            rho = warp_reduce(R_SUM, rho);
            sigma = warp_reduce(R_SUM, sigma);
            float tau = 0.f;
            for (int s = lane; s < S; s += 32) {
                float dp = delta[t * S + s], wt = e[t * S + s];
                float u = psi[t * S + s] + wt * (dp - rho) - sigma * dp;
                delta[t * S + s] = pr[s] * (dp - rho);
                e[t * S + s] = pr[s] * (wt - sigma);
                psi[t * S + s] = u;
                tau += pr[s] * u;
            }
            tau = warp_reduce(R_SUM, tau);
            for (int s = lane; s < S; s += 32) psi[t * S + s] = pr[s] * (psi[t * S + s] - tau);
            __syncwarp();
            for (int j = lane; j < dh; j += 32) {
                float a = 0.f, b = 0.f;
                for (int s = 0; s < S; s++) {
                    int y = s * ld + j;
                    a += pr[s] * avs[y] + e[t * S + s] * vs[y];
                    b += delta[t * S + s] * aks[y] + psi[t * S + s] * ks[y];
                }
                gg[qo + (i64) t * width + j] = a;
                gq[qo + (i64) t * width + j] = scale * b;
            }
            __syncwarp();
        }
        __syncthreads();
        for (int i = threadIdx.x; i < S * dh; i += blockDim.x) {
            int s = i / dh, j = i % dh;
            float a = 0.f, b = 0.f;
            for (int t = 0; t < T; t++) {
                i64 x = qo + (i64) t * width + j;
                a += delta[t * S + s] * aq[x] + psi[t * S + s] * q[x];
                b += e[t * S + s] * gz[x];
            }
            gk[ko + (i64) s * width + j] = scale * a;
            gv[ko + (i64) s * width + j] = b;
        }
        __syncthreads();
    }
}

// Reduced QR of count (m, n) matrices, m >= n, one block per matrix: classical Gram-Schmidt with one
// reorthogonalisation (CGS2, as accurate as Householder for full-rank A), which gives diag R > 0 directly, in double
// precision. Also writes R^-T (lower triangular) for the backward pass. Dynamic shared memory: m + 2n + blockDim
// doubles.
extern "C" __global__ void qr_f32(const float* a, float* q, float* r, float* rinvt, int m, int n, int count) {
    extern __shared__ double sh[];
    double* v = sh;          // the current column, m
    double* c = v + m;       // its coefficients on columns 0..k-1, summed over both passes: R[:k, k]
    double* s = c + n;       // this pass's coefficients
    double* red = s + n;     // reduction scratch, blockDim.x
    int tid = threadIdx.x, bd = blockDim.x;
    for (int b = blockIdx.x; b < count; b += gridDim.x) {
        const float* A = a + (i64) b * m * n;
        float* Q = q + (i64) b * m * n;
        float* R = r + (i64) b * n * n;
        float* T = rinvt + (i64) b * n * n;
        for (int i = tid; i < m; i += bd) v[i] = A[i * n];
        for (int k = 0; k < n; k++) {
            for (int j = tid; j < k; j += bd) c[j] = 0.0;
            __syncthreads();
            for (int pass = 0; pass < 2 && k > 0; pass++) {
                for (int j = tid; j < k; j += bd) { // s = Q[:, :k]^T v
                    double d = 0.0;
                    for (int i = 0; i < m; i++) d += (double) Q[i * n + j] * v[i];
                    s[j] = d;
                    c[j] += d;
                }
                __syncthreads();
                for (int i = tid; i < m; i += bd) { // v -= Q[:, :k] s
                    double d = v[i];
                    for (int j = 0; j < k; j++) d -= (double) Q[i * n + j] * s[j];
                    v[i] = d;
                }
                __syncthreads();
            }
            double part = 0.0;
            for (int i = tid; i < m; i += bd) part += v[i] * v[i];
            red[tid] = part;
            __syncthreads();
            for (int w = bd / 2; w > 0; w >>= 1) {
                if (tid < w) red[tid] += red[tid + w];
                __syncthreads();
            }
            double norm = sqrt(red[0]);
            for (int i = tid; i < m; i += bd) Q[i * n + k] = (float) (v[i] / norm);
            for (int j = tid; j < n; j += bd) R[j * n + k] = j < k ? (float) c[j] : j == k ? (float) norm : 0.f;
            __syncthreads(); // Q[:, k] and red are read below and in the next column
            if (k + 1 < n) for (int i = tid; i < m; i += bd) v[i] = A[i * n + k + 1];
        }
        // R^-T = (R^-1)^T: column j of R^-1 by back substitution, one thread per column, from R as stored (float)
        for (int j = tid; j < n; j += bd) {
            for (int i = 0; i < n; i++) T[j * n + i] = 0.f;
            for (int i = j; i >= 0; i--) {
                double d = i == j ? 1.0 : 0.0;
                for (int l = i + 1; l <= j; l++) d -= (double) R[i * n + l] * T[j * n + l];
                T[j * n + i] = (float) (d / R[i * n + i]);
            }
        }
        __syncthreads();
    }
}

// out = tril(M) + tril(M, -1)^T for count (n, n) matrices: the symmetric matrix with M's lower triangle.
extern "C" __global__ void copyltu_f32(const float* a, float* out, int n, i64 total) {
    for (i64 e = (i64) blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (i64) gridDim.x * blockDim.x) {
        i64 b = e / ((i64) n * n);
        int i = (int) (e / n % n), j = (int) (e % n);
        out[e] = i >= j ? a[e] : a[b * n * n + (i64) j * n + i];
    }
}
