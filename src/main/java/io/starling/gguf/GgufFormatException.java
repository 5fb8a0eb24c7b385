package io.starling.gguf;

/**
 * A GGUF file's content is wrong: bad magic, unsupported version, a length or count the file cannot hold, an invalid
 * tensor layout, or a metadata value of the wrong type. The message is one line naming what is wrong and where (a byte
 * offset, a metadata key or a tensor name), so it can be shown to whoever supplied the file.
 */
public class GgufFormatException extends RuntimeException {

    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
