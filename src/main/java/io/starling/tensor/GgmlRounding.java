package io.starling.tensor;

/** The two float-to-int roundings ggml's reference quantizers use; matching them is what makes our blocks bit-exact. */
final class GgmlRounding {
    private GgmlRounding() {
    }

    /** C's {@code roundf}: halves round away from zero (Java's {@code Math.round} would send -2.5 to -2). */
    static int roundHalfAwayFromZero(float x) {
        int magnitude = Math.round(Math.abs(x));
        return x < 0 ? -magnitude : magnitude;
    }

    /**
     * ggml's {@code nearest_int}: the float-add-1.5*2^23 trick, which rounds halves to even; valid for
     * {@code |x| <= 4194303} like the original.
     */
    static int nearestEven(float x) {
        return (int) Math.rint(x);
    }
}
