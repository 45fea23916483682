package org.biaslab.report;

import java.awt.Color;

/** matplotlib's "plasma" colour map (P1's colour-by-length plots), linear between nine of its colours. */
final class Plasma {
    /** plasma at 0, 1/8, …, 1. */
    private static final int[] ANCHORS = {0x0d0887, 0x4c02a1, 0x7e03a8, 0xa92395, 0xcc4678, 0xe56b5d, 0xf89441, 0xfdc328, 0xf0f921};

    private Plasma() {}

    /** The colour at t ∈ [0, 1] (clamped): dark blue at 0, yellow at 1. */
    static Color at(double t) {
        double u = Math.min(1, Math.max(0, t)) * (ANCHORS.length - 1);
        int i = Math.min((int) u, ANCHORS.length - 2);
        double f = u - i;
        Color a = new Color(ANCHORS[i]), b = new Color(ANCHORS[i + 1]);
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }
}
