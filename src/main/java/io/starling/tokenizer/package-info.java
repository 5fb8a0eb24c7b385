/**
 * Tokenizers built from GGUF metadata alone, matching llama.cpp token for token.
 *
 * <p>{@link io.starling.tokenizer.Tokenizers#fromMetadata} reads {@code tokenizer.ggml.*} and returns a
 * {@link io.starling.tokenizer.Tokenizer} for either family GGUF files carry:
 * <ul>
 *   <li>{@code llama}: SentencePiece BPE with scores, the dummy-prefix space and byte fallback {@code <0xNN>}
 *       ({@code SpmEncoder});</li>
 *   <li>{@code gpt2}: byte-level BPE with merges and the pre-tokenizer {@code tokenizer.ggml.pre} names
 *       ({@code BpeEncoder}, {@code PreTokenizerType}: gpt-2, llama3/llama-bpe, qwen2, smollm/starcoder, dbrx,
 *       falcon, default; an unknown name is a load error).</li>
 * </ul>
 *
 * <p>Conventions, where llama.cpp leaves a choice or where this package deliberately differs:
 * <ul>
 *   <li><b>Special tokens.</b> Control and unknown tokens come from text only with {@code parseSpecial};
 *       plain-text encoding never produces them, even where llama.cpp's merge loop could spell one out.
 *       User-defined tokens (added vocabulary) are always matched, as in llama.cpp and Hugging Face.</li>
 *   <li><b>Offsets</b> are byte spans of the UTF-8 input, monotone and covering it exactly; see
 *       {@link io.starling.tokenizer.EncodedText} for inserted tokens (BOS/EOS, the dummy-prefix "▁") and
 *       partial characters.</li>
 *   <li><b>Decoding</b> is the exact inverse of encoding: {@code decode(encode(text).ids()) == text} for
 *       every valid text, except that SentencePiece reads a literal U+2581 "▁" as a space (it is the
 *       model's space symbol). The dummy-prefix space is removed from the first rendered token; llama.cpp's
 *       GPT-2 "clean up tokenization spaces" pass is not applied, since it would break the round trip.</li>
 *   <li><b>Unicode classes</b> for the pre-tokenizers come from the JDK (Unicode 16) plus the White_Space
 *       property; llama.cpp's tables are generated from an older Unicode version, so code points assigned
 *       since then may be classed differently.</li>
 * </ul>
 *
 * <p>{@link io.starling.tokenizer.ChatTemplate} renders {@code tokenizer.chat_template} with the small Jinja
 * interpreter in {@code io.starling.tokenizer.jinja}.
 */
package io.starling.tokenizer;
