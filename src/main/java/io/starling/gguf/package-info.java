/**
 * GGUF, the llama.cpp model file format: {@link io.starling.gguf.GgufFile} maps a file once and exposes its metadata
 * and tensors as zero-copy slices, after validating everything a later read could trip over;
 * {@link io.starling.gguf.GgufWriter} writes version 3 files with llama.cpp's exact layout. Plain Java, no framework.
 *
 * <p>Every problem with a file's content is a {@link io.starling.gguf.GgufFormatException} naming what and where.
 */
package io.starling.gguf;
