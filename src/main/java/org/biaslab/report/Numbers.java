package org.biaslab.report;

import java.util.Locale;

/** How the reports print numbers: integers as they are, other values with four significant digits. */
final class Numbers {
    private Numbers() {}

    static String format(Object value) {
        if (value instanceof Number num) return format(num.doubleValue());
        return String.valueOf(value);
    }

    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /** An axis or bin label: at most three significant digits, no trailing zeros, a leading zero before the point. */
    static String tick(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) return Long.toString((long) v);
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        if (v == 0 || (Math.abs(v) >= 1e-4 && Math.abs(v) < 1e6)) return s;
        String[] e = String.format(Locale.ROOT, "%.2e", v).split("e"); // 2.50e-07 -> 2.5e-7
        return new java.math.BigDecimal(e[0]).stripTrailingZeros().toPlainString() + "e" + Integer.parseInt(e[1]);
    }

    /** A p-value: two significant digits, in scientific notation when small. */
    static String p(double p) {
        return p >= 1e-3 || p == 0 ? String.format(Locale.ROOT, "%.2g", p) : String.format(Locale.ROOT, "%.1e", p);
    }
}
