package io.starling.model;

/**
 * {@code sinf} and {@code cosf} bit for bit as glibc's x86-64 libm computes them on an FMA machine (the Arm
 * optimized-routines algorithm in glibc's {@code __sinf_fma}/{@code __cosf_fma}). llama.cpp builds its RoPE
 * tables with these; they are not correctly rounded, and about 2% of RoPE angles come out one ulp away from
 * Java's {@code (float) Math.sin}, which is enough to flip an F16 cache rounding downstream.
 *
 * <p>Algorithm: widen to double; below pi/4 evaluate the polynomial directly; below 120 reduce by the nearest
 * multiple of pi/2 (quadrant from a truncating conversion of x * 2/pi * 2^24); above, a 96-bit reduction with a
 * table of 4/pi. The polynomials are evaluated in double with the multiply-adds GCC fuses fused.
 */
final class GlibcTrig {
    private GlibcTrig() {
    }

    private static final double HPI_INV = 0x1.45F306DC9C883p+23;
    private static final double HPI = 0x1.921FB54442D18p0;
    private static final double C0 = 0x1p0;
    private static final double C1 = -0x1.ffffffd0c621cp-2;
    private static final double C2 = 0x1.55553e1068f19p-5;
    private static final double C3 = -0x1.6c087e89a359dp-10;
    private static final double C4 = 0x1.99343027bf8c3p-16;
    private static final double S1 = -0x1.555545995a603p-3;
    private static final double S2 = 0x1.1107605230bc4p-7;
    private static final double S3 = -0x1.994eb3774cf24p-13;
    private static final double PI63 = 0x1.921FB54442D18p-62;
    private static final double[] SIGN = {1.0, -1.0, -1.0, 1.0};
    /** 4/pi to 192 bits, eight new bits per entry. */
    private static final int[] INV_PIO4 = {
            0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
            0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1, 0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
            0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599, 0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041};
    private static final int TOP_PIO4 = abstop12(0x1.921FB6p-1f);
    private static final int TOP_TINY = abstop12(0x1p-12f);
    private static final int TOP_120 = abstop12(120f);
    private static final int TOP_INF = abstop12(Float.POSITIVE_INFINITY);

    static float sinf(float x) {
        return sincos(x, 0);
    }

    static float cosf(float x) {
        return sincos(x, 1);
    }

    private static int abstop12(float x) {
        return (Float.floatToRawIntBits(x) >>> 20) & 0x7ff;
    }

    /** The sine polynomial for even n, the cosine one for odd n; {@code negate} selects the table's second entry (-cos). */
    private static float poly(double x, double x2, boolean negate, int n) {
        if ((n & 1) == 0) {
            double x3 = x * x2;
            double s1 = Math.fma(x2, S3, S2);
            double x7 = x3 * x2;
            double s = Math.fma(x3, S1, x);
            return (float) Math.fma(x7, s1, s);
        }
        double sign = negate ? -1.0 : 1.0;
        double x4 = x2 * x2;
        double c2 = Math.fma(x2, sign * C4, sign * C3);
        double c1 = Math.fma(x2, sign * C1, sign * C0);
        double x6 = x4 * x2;
        double c = Math.fma(x4, sign * C2, c1);
        return (float) Math.fma(x6, c2, c);
    }

    private static float sincos(float y, int cosine) {
        double x = y;
        int top = abstop12(y);
        if (top < TOP_PIO4) {
            if (top < TOP_TINY) {
                return cosine != 0 ? 1f : y;
            }
            return poly(x, x * x, false, cosine);
        }
        int n;
        int quadrant;
        if (top < TOP_120) {
            double r = x * HPI_INV;
            n = ((int) r + 0x800000) >> 24;
            x = Math.fma(-(double) n, HPI, x);
            quadrant = n;
        } else if (top < TOP_INF) {
            int xi = Float.floatToRawIntBits(y);
            int sign = xi >>> 31;
            int offset = (xi >>> 26) & 15;
            int shift = (xi >>> 23) & 7;
            long m = (long) (((xi & 0xffffff) | 0x800000) << shift) & 0xffffffffL;
            long res0 = (m * (INV_PIO4[offset] & 0xffffffffL)) & 0xffffffffL;
            long res1 = m * (INV_PIO4[offset + 4] & 0xffffffffL);
            long res2 = m * (INV_PIO4[offset + 8] & 0xffffffffL);
            res0 = (res2 >>> 32) | (res0 << 32);
            res0 += res1;
            long q = (res0 + (1L << 61)) >>> 62;
            res0 -= q << 62;
            x = (double) res0 * PI63;
            n = (int) q;
            quadrant = n + sign;
        } else {
            return (y - y) / (y - y);
        }
        double s = SIGN[quadrant & 3];
        return poly(x * s, x * x, (quadrant & 2) != 0, n ^ cosine);
    }
}
