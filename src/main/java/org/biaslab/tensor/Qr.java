package org.biaslab.tensor;

/**
 * The reduced QR decomposition A = Q R of (…, m, n) matrices with m ≥ n: Q (…, m, n) with orthonormal columns,
 * R (…, n, n) upper triangular with diag R ≥ 0 (the convention that makes it unique for full-rank A).
 */
public record Qr(Tensor q, Tensor r) {}
