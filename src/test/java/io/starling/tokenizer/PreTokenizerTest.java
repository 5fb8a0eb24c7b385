package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pre-tokenizers cut text where the regexes llama.cpp documents for each type (from the models'
 * tokenizer.json) cut it. The reference runs those regexes with Java's Unicode classes, whose
 * {@code \s} is the White_Space property, like Python's {@code regex}.
 */
class PreTokenizerTest {
    private static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    private static final String LLAMA3 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static List<String> reference(PreTokenizerType type, String text) {
        return switch (type) {
            case GPT2 -> split(text, GPT2);
            case LLAMA3, DBRX -> split(text, LLAMA3);
            case QWEN2 -> split(text, QWEN2);
            case STARCODER -> split(text, "\\p{N}", GPT2);
            case FALCON -> split(text, "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
            case DEFAULT -> split(text, "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
        };
    }

    /** llama.cpp's scheme: each regex cuts the pieces of the previous one into matches and the gaps between. */
    static List<String> split(String text, String... regexes) {
        List<String> pieces = new ArrayList<>(List.of(text));
        for (String regex : regexes) {
            Pattern pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
            List<String> refined = new ArrayList<>();
            for (String piece : pieces) {
                Matcher m = pattern.matcher(piece);
                int last = 0;
                while (m.find()) {
                    if (m.start() > last) {
                        refined.add(piece.substring(last, m.start()));
                    }
                    refined.add(m.group());
                    last = m.end();
                }
                if (last < piece.length()) {
                    refined.add(piece.substring(last));
                }
            }
            pieces = refined;
        }
        pieces.removeIf(String::isEmpty);
        return pieces;
    }

    static List<String> cuts(PreTokenizerType type, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        Utf8Fragment fragment = Utf8Fragment.decode(utf8, 0, utf8.length);
        IntList lengths = type.split(fragment.codePoints());
        List<String> pieces = new ArrayList<>();
        int[] starts = fragment.codePoints().byteStarts;
        int cp = 0;
        for (int i = 0; i < lengths.size(); i++) {
            int from = starts[cp];
            cp += lengths.get(i);
            pieces.add(new String(utf8, from, starts[cp] - from, StandardCharsets.UTF_8));
        }
        return pieces;
    }

    @ParameterizedTest
    @EnumSource(PreTokenizerType.class)
    void cutsLikeTheDocumentedRegexes(PreTokenizerType type) {
        Random random = new Random(type.ordinal());
        for (int i = 0; i < 2000; i++) {
            String text = RandomText.next(random, 10, true);
            assertEquals(reference(type, text), cuts(type, text), () -> type + " on " + text.codePoints()
                    .mapToObj(c -> String.format("U+%04X", c)).toList());
        }
    }

    @Test
    void llama3TakesContractionsCaseInsensitivelyAndDigitsInThrees() {
        assertEquals(List.of("I", "'VE", " seen", " ", "123", "456", "7", " cats", "\n\n", "ok"),
                cuts(PreTokenizerType.LLAMA3, "I'VE seen 1234567 cats\n\nok"));
        assertEquals(List.of("I", "'", "VE"), cuts(PreTokenizerType.GPT2, "I'VE"));
    }

    @Test
    void qwen2AndSmollmSplitDigitsOneByOne() {
        assertEquals(List.of("x", "1", "2", "3"), cuts(PreTokenizerType.QWEN2, "x123"));
        assertEquals(List.of("x", " ", "1", "2", "3"), cuts(PreTokenizerType.forName("smollm"), "x 123"));
    }

    @Test
    void typesAreFoundByTheirGgufNames() {
        assertEquals(PreTokenizerType.LLAMA3, PreTokenizerType.forName("llama-bpe"));
        assertEquals(PreTokenizerType.QWEN2, PreTokenizerType.forName("qwen2"));
        assertEquals(PreTokenizerType.STARCODER, PreTokenizerType.forName("smollm"));
        assertEquals(PreTokenizerType.GPT2, PreTokenizerType.forName("gpt-2"));
        assertEquals(PreTokenizerType.DEFAULT, PreTokenizerType.forName(null));
        TokenizerException unknown = assertThrows(TokenizerException.class, () -> PreTokenizerType.forName("my-new-model"));
        assertTrue(unknown.getMessage().contains("my-new-model"));
    }
}
