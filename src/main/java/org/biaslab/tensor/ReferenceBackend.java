package org.biaslab.tensor;

/** Plain-loop kernels computed in double precision: the oracle every fast backend is tested against. */
class ReferenceBackend implements Backend {
    static final ReferenceBackend INSTANCE = new ReferenceBackend();

    ReferenceBackend() {}

    @Override
    public void unary(UnaryOp op, Tensor a, double param, Tensor out) {
        for (int i = 0; i < a.size(); i++) out.set(i, ScalarMath.unary(op, a.get(i), param));
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Broadcast p = Broadcast.of(out.shape(), a.shape(), b.shape());
        int sa = p.innerStride(0), sb = p.innerStride(1);
        for (int r = 0; r < p.rows; r++) {
            int oa = p.rowOffset(0, r), ob = p.rowOffset(1, r), oo = r * p.inner;
            for (int j = 0; j < p.inner; j++) out.set(oo + j, ScalarMath.binary(op, a.get(oa + j * sa), b.get(ob + j * sb)));
        }
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Broadcast p = Broadcast.of(out.shape(), cond.shape(), a.shape(), b.shape());
        int sc = p.innerStride(0), sa = p.innerStride(1), sb = p.innerStride(2);
        for (int r = 0; r < p.rows; r++) {
            int oc = p.rowOffset(0, r), oa = p.rowOffset(1, r), ob = p.rowOffset(2, r), oo = r * p.inner;
            for (int j = 0; j < p.inner; j++) {
                out.set(oo + j, cond.get(oc + j * sc) != 0 ? a.get(oa + j * sa) : b.get(ob + j * sb));
            }
        }
    }

    @Override
    public void reduce(ReduceOp op, Tensor a, int axis, Tensor out) {
        int outer = a.shape().outer(axis), n = a.shape().dim(axis), inner = a.shape().inner(axis);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = op == ReduceOp.SUM ? 0 : Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    double v = a.get((o * n + k) * inner + i);
                    acc = op == ReduceOp.SUM ? acc + v : (Double.isNaN(v) || v > acc ? v : acc);
                }
                out.set(o * inner + i, acc);
            }
        }
    }

    @Override
    public void matmul(Tensor a, int[] aOffsets, boolean transA, Tensor b, int[] bOffsets, boolean transB, Tensor out,
                       int m, int n, int k) {
        for (int bi = 0; bi < aOffsets.length; bi++) {
            int oa = aOffsets[bi], ob = bOffsets[bi], oo = bi * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double x = a.get(oa + (transA ? p * m + i : i * k + p));
                        double y = b.get(ob + (transB ? j * k + p : p * n + j));
                        acc += x * y;
                    }
                    out.set(oo + i * n + j, acc);
                }
            }
        }
    }

    @Override
    public void permute(Tensor a, int[] perm, Tensor out) {
        int r = perm.length;
        int[] inStrides = a.shape().strides();
        int[] outDims = out.shape().dims();
        int[] idx = new int[r];
        for (int i = 0; i < out.size(); i++) {
            int src = 0;
            for (int j = 0; j < r; j++) src += idx[j] * inStrides[perm[j]];
            out.set(i, a.get(src));
            for (int j = r - 1; j >= 0 && ++idx[j] == outDims[j]; j--) idx[j] = 0;
        }
    }

    @Override
    public void slice(Tensor a, int axis, int start, Tensor out) {
        int outer = a.shape().outer(axis), n = a.shape().dim(axis), m = out.shape().dim(axis), inner = a.shape().inner(axis);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < m * inner; i++) out.set(o * m * inner + i, a.get((o * n + start) * inner + i));
        }
    }

    @Override
    public void insert(Tensor src, int axis, int start, Tensor out) {
        int outer = out.shape().outer(axis), n = out.shape().dim(axis), m = src.shape().dim(axis), inner = out.shape().inner(axis);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < m * inner; i++) out.set((o * n + start) * inner + i, src.get(o * m * inner + i));
        }
    }

    @Override
    public void gather(Tensor table, Tensor index, Tensor out, int groups) {
        int d = table.shape().dim(1), per = index.size() / groups, v = table.shape().dim(0) / groups;
        for (int i = 0; i < index.size(); i++) {
            int row = i / per * v + (int) index.get(i);
            for (int j = 0; j < d; j++) out.set(i * d + j, table.get(row * d + j));
        }
    }

    @Override
    public void scatterAdd(Tensor src, Tensor index, Tensor out, int groups) {
        int d = src.shape().dim(1), per = index.size() / groups, v = out.shape().dim(0) / groups;
        for (int i = 0; i < index.size(); i++) {
            int row = i / per * v + (int) index.get(i);
            for (int j = 0; j < d; j++) out.set(row * d + j, out.get(row * d + j) + src.get(i * d + j));
        }
    }

    @Override
    public void softmax(Tensor a, Tensor out, boolean log) {
        int d = a.shape().rank() == 0 ? 1 : a.shape().dim(-1);
        int rows = d == 0 ? 0 : a.size() / d;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < d; j++) max = Math.max(max, a.get(r * d + j));
            double sum = 0;
            for (int j = 0; j < d; j++) sum += Math.exp(a.get(r * d + j) - max);
            for (int j = 0; j < d; j++) {
                double z = a.get(r * d + j) - max;
                out.set(r * d + j, log ? z - Math.log(sum) : Math.exp(z) / sum);
            }
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        int perMember = gamma == null ? 1 : Math.max(1, rows / (gamma.size() / Math.max(1, d)));
        for (int r = 0; r < rows; r++) {
            int gOff = (r / perMember) * d;
            double mu = 0;
            for (int j = 0; j < d; j++) mu += x.get(r * d + j);
            mu /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double c = x.get(r * d + j) - mu;
                var += c * c;
            }
            double rs = 1 / Math.sqrt(var / d + eps);
            mean.set(r, mu);
            rstd.set(r, rs);
            for (int j = 0; j < d; j++) {
                double y = (x.get(r * d + j) - mu) * rs;
                if (gamma != null) y = y * gamma.get(gOff + j) + beta.get(gOff + j);
                out.set(r * d + j, y);
            }
        }
    }

    @Override
    public void layerNormBackward(Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx, Tensor dgamma,
                                  Tensor dbeta) {
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        int gsize = gamma == null ? d : gamma.size();
        int perMember = Math.max(1, rows / Math.max(1, gsize / Math.max(1, d)));
        double[] dg = new double[gsize], db = new double[gsize];
        for (int r = 0; r < rows; r++) {
            int gOff = (r / perMember) * d;
            double mu = mean.get(r), rs = rstd.get(r);
            double sumDy = 0, sumDyXhat = 0;
            for (int j = 0; j < d; j++) {
                double xhat = (x.get(r * d + j) - mu) * rs;
                double gj = g.get(r * d + j);
                double dy = gamma == null ? gj : gj * gamma.get(gOff + j);
                sumDy += dy;
                sumDyXhat += dy * xhat;
                dg[gOff + j] += gj * xhat;
                db[gOff + j] += gj;
            }
            for (int j = 0; j < d; j++) {
                double xhat = (x.get(r * d + j) - mu) * rs;
                double gj = g.get(r * d + j);
                double dy = gamma == null ? gj : gj * gamma.get(gOff + j);
                dx.set(r * d + j, rs * (dy - sumDy / d - xhat * sumDyXhat / d));
            }
        }
        if (dgamma != null) {
            for (int j = 0; j < gsize; j++) {
                dgamma.set(j, dg[j]);
                dbeta.set(j, db[j]);
            }
        }
    }

    @Override
    public void layerNormDoubleBackward(Tensor a, Tensor c, Tensor b, Tensor g, Tensor x, Tensor gamma, Tensor mean,
                                       Tensor rstd, Tensor gg, Tensor gx, Tensor ggamma) {
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        int gsize = gamma == null ? d : gamma.size();
        int perMember = Math.max(1, rows / Math.max(1, gsize / Math.max(1, d)));
        double[] dgam = new double[gsize], xh = new double[d], gh = new double[d];
        for (int r = 0; r < rows; r++) {
            int o = r * d, gOff = (r / perMember) * d;
            double mu = mean.get(r), rs = rstd.get(r);
            double m1 = 0, m2 = 0, am = 0, ma = 0, ag = 0;
            for (int j = 0; j < d; j++) {
                xh[j] = (x.get(o + j) - mu) * rs;
                gh[j] = gamma == null ? g.get(o + j) : g.get(o + j) * gamma.get(gOff + j);
                double aj = a.get(o + j);
                m1 += gh[j];
                m2 += gh[j] * xh[j];
                am += aj;
                ma += aj * xh[j];
                ag += aj * gh[j];
            }
            m1 /= d;
            m2 /= d;
            am /= d;
            ma /= d;
            double sr = ag - d * am * m1 - d * ma * m2; // ∂/∂r
            double[] u = new double[d];
            double mu1 = 0, mu2 = 0;
            for (int j = 0; j < d; j++) {
                double aj = a.get(o + j), pa = aj - am - xh[j] * ma; // (P a)_j
                double gam = gamma == null ? 1 : gamma.get(gOff + j), cj = c == null ? 0 : c.get(gOff + j);
                gg.set(o + j, rs * gam * pa + cj * xh[j] + (b == null ? 0 : b.get(gOff + j)));
                dgam[gOff + j] += rs * g.get(o + j) * pa;
                u[j] = cj * g.get(o + j) - rs * (m2 * aj + ma * gh[j]);
                mu1 += u[j];
                mu2 += u[j] * xh[j];
            }
            mu1 /= d;
            mu2 /= d;
            for (int j = 0; j < d; j++) gx.set(o + j, rs * (u[j] - mu1 - xh[j] * mu2) - rs * rs * sr / d * xh[j]);
        }
        if (ggamma != null) for (int j = 0; j < gsize; j++) ggamma.set(j, dgam[j]);
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, int heads, double scale, boolean causal, Tensor z, Tensor p) {
        int t = q.dim(-2), s = k.dim(-2), w = q.dim(-1), dh = w / heads, items = t * w == 0 ? 0 : q.size() / (t * w);
        double[] row = new double[s];
        for (int n = 0; n < items; n++) {
            for (int h = 0; h < heads; h++) {
                int qo = n * t * w + h * dh, ko = n * s * w + h * dh, po = (n * heads + h) * t * s;
                for (int i = 0; i < t; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        double a = 0;
                        for (int c = 0; c < dh; c++) a += q.get(qo + i * w + c) * k.get(ko + j * w + c);
                        row[j] = causal && j > i + s - t ? Double.NEGATIVE_INFINITY : a * scale;
                        max = Math.max(max, row[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < s; j++) sum += Math.exp(row[j] - max);
                    for (int j = 0; j < s; j++) p.set(po + i * s + j, Math.exp(row[j] - max) / sum);
                    for (int c = 0; c < dh; c++) {
                        double a = 0;
                        for (int j = 0; j < s; j++) a += p.get(po + i * s + j) * v.get(ko + j * w + c);
                        z.set(qo + i * w + c, a);
                    }
                }
            }
        }
    }

    @Override
    public void attentionBackward(Tensor gz, Tensor q, Tensor k, Tensor v, Tensor p, int heads, double scale,
                                  boolean causal, Tensor dq, Tensor dk, Tensor dv) {
        int t = q.dim(-2), s = k.dim(-2), w = q.dim(-1), dh = w / heads, items = t * w == 0 ? 0 : q.size() / (t * w);
        double[][] ds = new double[t][s];
        for (int n = 0; n < items; n++) {
            for (int h = 0; h < heads; h++) {
                int qo = n * t * w + h * dh, ko = n * s * w + h * dh, po = (n * heads + h) * t * s;
                for (int i = 0; i < t; i++) {
                    // dP = G Vᵀ, then dS = P ⊙ (dP − Σ_j P dP)·scale
                    double r = 0;
                    for (int j = 0; j < s; j++) {
                        double a = 0;
                        for (int c = 0; c < dh; c++) a += gz.get(qo + i * w + c) * v.get(ko + j * w + c);
                        ds[i][j] = a;
                        r += p.get(po + i * s + j) * a;
                    }
                    for (int j = 0; j < s; j++) ds[i][j] = p.get(po + i * s + j) * (ds[i][j] - r) * scale;
                    for (int c = 0; c < dh; c++) {
                        double a = 0;
                        for (int j = 0; j < s; j++) a += ds[i][j] * k.get(ko + j * w + c);
                        dq.set(qo + i * w + c, a);
                    }
                }
                for (int j = 0; j < s; j++) {
                    for (int c = 0; c < dh; c++) {
                        double a = 0, b = 0;
                        for (int i = 0; i < t; i++) {
                            a += ds[i][j] * q.get(qo + i * w + c);
                            b += p.get(po + i * s + j) * gz.get(qo + i * w + c);
                        }
                        if (dv == null) {
                            dk.set(ko + j * w + c, a + b);
                        } else {
                            dk.set(ko + j * w + c, a);
                            dv.set(ko + j * w + c, b);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void attentionDoubleBackward(Tensor aq, Tensor ak, Tensor av, Tensor gz, Tensor q, Tensor k, Tensor v, Tensor p,
                                        int heads, double scale, Tensor gg, Tensor gq, Tensor gk, Tensor gv) {
        int t = q.dim(-2), s = k.dim(-2), w = q.dim(-1), dh = w / heads, items = t * w == 0 ? 0 : q.size() / (t * w);
        double[][] delta = new double[t][s], e = new double[t][s], psi = new double[t][s];
        double[] dp = new double[s], wt = new double[s], u = new double[s];
        for (int n = 0; n < items; n++) {
            for (int h = 0; h < heads; h++) {
                int qo = n * t * w + h * dh, ko = n * s * w + h * dh, po = (n * heads + h) * t * s;
                for (int i = 0; i < t; i++) {
                    double rho = 0, sigma = 0;
                    for (int j = 0; j < s; j++) {
                        double a = 0, b = 0, gav = 0;
                        for (int c = 0; c < dh; c++) {
                            int x = qo + i * w + c, y = ko + j * w + c;
                            a += gz.get(x) * v.get(y);
                            b += aq.get(x) * k.get(y) + q.get(x) * ak.get(y);
                            gav += gz.get(x) * av.get(y);
                        }
                        double pij = p.get(po + i * s + j);
                        dp[j] = a;
                        wt[j] = scale * b;
                        u[j] = gav;
                        rho += pij * a;
                        sigma += pij * wt[j];
                    }
                    double tau = 0;
                    for (int j = 0; j < s; j++) {
                        double pij = p.get(po + i * s + j);
                        delta[i][j] = pij * (dp[j] - rho);
                        e[i][j] = pij * (wt[j] - sigma);
                        u[j] += wt[j] * (dp[j] - rho) - sigma * dp[j];
                        tau += pij * u[j];
                    }
                    for (int j = 0; j < s; j++) psi[i][j] = p.get(po + i * s + j) * (u[j] - tau);
                    for (int c = 0; c < dh; c++) {
                        double a = 0, b = 0;
                        for (int j = 0; j < s; j++) {
                            int y = ko + j * w + c;
                            a += p.get(po + i * s + j) * av.get(y) + e[i][j] * v.get(y);
                            b += delta[i][j] * ak.get(y) + psi[i][j] * k.get(y);
                        }
                        gg.set(qo + i * w + c, a);
                        gq.set(qo + i * w + c, scale * b);
                    }
                }
                for (int j = 0; j < s; j++) {
                    for (int c = 0; c < dh; c++) {
                        double a = 0, b = 0;
                        for (int i = 0; i < t; i++) {
                            int x = qo + i * w + c;
                            a += delta[i][j] * aq.get(x) + psi[i][j] * q.get(x);
                            b += e[i][j] * gz.get(x);
                        }
                        gk.set(ko + j * w + c, scale * a);
                        gv.set(ko + j * w + c, b);
                    }
                }
            }
        }
    }

    @Override
    public double squaredErrorSum(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = a.get(i) - b.get(i);
            s += d * d;
        }
        return s;
    }

    @Override
    public double[] squaredSums(Tensor a, int groups) {
        double[] sq = new double[groups];
        int per = a.size() / groups;
        for (int i = 0; i < a.size(); i++) {
            double v = a.get(i);
            sq[i / per] += v * v;
        }
        return sq;
    }

    @Override
    public double pickSum(Tensor logp, Tensor target) {
        int c = logp.shape().dim(1);
        double s = 0;
        for (int i = 0; i < target.size(); i++) s += logp.get(i * c + (int) target.get(i));
        return s;
    }

    @Override
    public void convert(Tensor a, Tensor out) {
        for (int i = 0; i < a.size(); i++) out.set(i, a.get(i));
    }

    // ---- in-place updates; element i belongs to member i / (size / lr.length) ----

    @Override
    public void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double[] lr, double beta1, double beta2, double eps,
                      double weightDecay, long step) {
        int inner = p.size() / lr.length;
        double bc1 = 1 - StrictMath.pow(beta1, step), bc2Sqrt = StrictMath.sqrt(1 - StrictMath.pow(beta2, step));
        for (int i = 0; i < p.size(); i++) {
            double rate = lr[i / inner], gi = g.get(i);
            double mi = lerp(m.get(i), gi, 1 - beta1);
            double vi = v.get(i) * beta2 + (1 - beta2) * gi * gi;
            double pi = p.get(i) * (1 - rate * weightDecay);
            m.set(i, mi);
            v.set(i, vi);
            p.set(i, pi + -(rate / bc1) * mi / (Math.sqrt(vi) / bc2Sqrt + eps));
        }
    }

    /** PyTorch's lerp: start + w(end − start) for w < 0.5, else end − (1 − w)(end − start), each one fused multiply-add. */
    static double lerp(double start, double end, double w) {
        return w < 0.5 ? Math.fma(w, end - start, start) : Math.fma(w - 1, end - start, end);
    }

    @Override
    public void sgd(Tensor p, Tensor g, Tensor buf, double[] lr, double momentum, double dampening, double weightDecay,
                    boolean nesterov, boolean firstStep) {
        int inner = p.size() / lr.length;
        for (int i = 0; i < p.size(); i++) {
            double d = weightDecay != 0 ? Math.fma(weightDecay, p.get(i), g.get(i)) : g.get(i);
            if (buf != null) {
                double b = firstStep ? d : Math.fma(1 - dampening, d, buf.get(i) * momentum);
                buf.set(i, b);
                d = nesterov ? Math.fma(momentum, b, d) : b;
            }
            p.set(i, Math.fma(-lr[i / inner], d, p.get(i)));
        }
    }

    @Override
    public void scale(Tensor t, double[] c) {
        int inner = t.size() / c.length;
        for (int i = 0; i < t.size(); i++) t.set(i, t.get(i) * c[i / inner]);
    }
}
