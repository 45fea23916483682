package org.biaslab.tensor;

import java.util.Arrays;

/**
 * The rows of a layer norm over an ensemble, cut into chunks of 64 that never cross a member boundary, so that
 * member e's γ and β gradients are summed exactly as in a single model: each chunk keeps its partial sums, which
 * {@link #fold} adds per member in chunk order.
 *
 * @param d               row width
 * @param perMember       rows per member
 * @param perMemberChunks chunks per member
 * @param count           chunks in all
 */
record MemberRowChunks(int d, int perMember, int perMemberChunks, int count) {
    static final int ROWS = 64;

    /** Chunks of {@code rows} rows of width d, with γ of {@code gammaSize} values (0: no affine part, one member). */
    static MemberRowChunks of(int rows, int d, int gammaSize) {
        int members = gammaSize == 0 || d == 0 ? 1 : gammaSize / d;
        int perMember = rows / members, perMemberChunks = (perMember + ROWS - 1) / ROWS;
        return new MemberRowChunks(d, perMember, perMemberChunks, members * perMemberChunks);
    }

    int member(int chunk) {
        return chunk / perMemberChunks;
    }

    /** The chunk's first row. */
    int first(int chunk) {
        return member(chunk) * perMember + (chunk % perMemberChunks) * ROWS;
    }

    /** One past the chunk's last row. */
    int last(int chunk) {
        return Math.min((member(chunk) + 1) * perMember, first(chunk) + ROWS);
    }

    /** out[e·d + j] = Σ over member e's chunks, in order, of parts[chunk][j]. */
    void fold(float[][] parts, float[] out) {
        Arrays.fill(out, 0f);
        for (int c = 0; c < count; c++) {
            int off = member(c) * d;
            for (int j = 0; j < d; j++) out[off + j] += parts[c][j];
        }
    }
}
