package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A deliberately naive dequantizer for the tests: it finds each element's bits from the block layout on its
 * own, one element at a time, with none of the loop structure of the real formats. Float operations follow
 * ggml's order so that results can be compared exactly.
 */
final class ReferenceDequantizer {
    private ReferenceDequantizer() {
    }

    static float[] dequantize(GgmlType type, byte[] data, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            int block = i / type.blockSize();
            ByteBuffer b = ByteBuffer.wrap(data, block * type.bytesPerBlock(), type.bytesPerBlock())
                    .slice().order(ByteOrder.LITTLE_ENDIAN);
            out[i] = element(type, b, i % type.blockSize());
        }
        return out;
    }

    private static float element(GgmlType type, ByteBuffer b, int i) {
        return switch (type) {
            case F32 -> b.getFloat(4 * i);
            case F16 -> half(b, 2 * i);
            case BF16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16);
            case Q4_0 -> (nibble(b, 2, i) - 8) * half(b, 0);
            case Q4_1 -> nibble(b, 4, i) * half(b, 0) + half(b, 2);
            case Q5_0 -> ((nibble(b, 6, i) | bit(b.getInt(2), i) << 4) - 16) * half(b, 0);
            case Q5_1 -> (nibble(b, 8, i) | bit(b.getInt(4), i) << 4) * half(b, 0) + half(b, 2);
            case Q8_0 -> b.get(2 + i) * half(b, 0);
            case Q2_K -> q2k(b, i);
            case Q3_K -> q3k(b, i);
            case Q4_K -> q4k(b, i);
            case Q5_K -> q5k(b, i);
            case Q6_K -> q6k(b, i);
            case Q8_K -> b.get(4 + i) * b.getFloat(0);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    private static float half(ByteBuffer b, int offset) {
        return Float.float16ToFloat(b.getShort(offset));
    }

    private static int u8(ByteBuffer b, int offset) {
        return b.get(offset) & 0xFF;
    }

    private static int bit(int word, int index) {
        return (word >>> index) & 1;
    }

    /** Elements 0..15 of a 32-block are the low nibbles of bytes 0..15, elements 16..31 the high ones. */
    private static int nibble(ByteBuffer b, int quants, int i) {
        int v = u8(b, quants + i % 16);
        return i < 16 ? v & 0xF : v >>> 4;
    }

    /** Within each 128 elements, element 32p + l is bit pair p of byte l of that half's 32 bytes. */
    private static int twoBits(ByteBuffer b, int quants, int i) {
        int half = i / 128;
        int pair = i % 128 / 32;
        return u8(b, quants + 32 * half + i % 32) >>> (2 * pair) & 3;
    }

    private static float q2k(ByteBuffer b, int i) {
        int sm = u8(b, i / 16);
        return half(b, 80) * (sm & 0xF) * twoBits(b, 16, i) - half(b, 82) * (sm >>> 4);
    }

    private static float q3k(ByteBuffer b, int i) {
        int highSet = u8(b, i % 32) >>> (i / 32) & 1;
        int q = twoBits(b, 32, i) - (highSet == 1 ? 0 : 4);
        return half(b, 108) * q3kScale(b, i / 16) * q;
    }

    /** 16 scales of 6 bits in 12 bytes: low nibbles in bytes 0..7 (lo half first), top bit pairs in bytes 8..11. */
    private static int q3kScale(ByteBuffer b, int j) {
        int nibbleByte = u8(b, 96 + j % 8);
        int low4 = j < 8 ? nibbleByte & 0xF : nibbleByte >>> 4;
        int top2 = u8(b, 96 + 8 + j % 4) >>> (2 * (j / 4)) & 3;
        return (top2 << 4 | low4) - 32;
    }

    /** Scale (which = 0) or min (which = 1) of sub-block j in Q4_K/Q5_K's 12 bytes at offset 4. */
    private static int k4Scale(ByteBuffer b, int j, int which) {
        if (j < 4) {
            return u8(b, 4 + j + 4 * which) & 63;
        }
        int lowNibbles = u8(b, 4 + 8 + (j - 4));
        int low4 = which == 0 ? lowNibbles & 0xF : lowNibbles >>> 4;
        int top2 = u8(b, 4 + (j - 4) + 4 * which) >>> 6;
        return top2 << 4 | low4;
    }

    private static float q4k(ByteBuffer b, int i) {
        int chunk = i / 64;
        int v = u8(b, 16 + 32 * chunk + i % 32);
        int q = i % 64 < 32 ? v & 0xF : v >>> 4;
        int sub = i / 32;
        return half(b, 0) * k4Scale(b, sub, 0) * q - half(b, 2) * k4Scale(b, sub, 1);
    }

    private static float q5k(ByteBuffer b, int i) {
        int chunk = i / 64;
        int v = u8(b, 48 + 32 * chunk + i % 32);
        int low = i % 64 < 32 ? v & 0xF : v >>> 4;
        int fifth = u8(b, 16 + i % 32) >>> (i / 32) & 1;
        int sub = i / 32;
        return half(b, 0) * k4Scale(b, sub, 0) * (low | fifth << 4) - half(b, 2) * k4Scale(b, sub, 1);
    }

    private static float q6k(ByteBuffer b, int i) {
        int h = i / 128;
        int k = i % 128 / 32;
        int l = i % 32;
        int v = u8(b, 64 * h + 32 * (k % 2) + l);
        int low = k < 2 ? v & 0xF : v >>> 4;
        int high = u8(b, 128 + 32 * h + l) >>> (2 * k) & 3;
        return half(b, 208) * b.get(192 + i / 16) * ((high << 4 | low) - 32);
    }
}
