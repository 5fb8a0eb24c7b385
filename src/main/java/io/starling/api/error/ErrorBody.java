package io.starling.api.error;

/** The OpenAI error body, {@code {"error":{"message","type","param","code"}}}, which every SDK parses. */
public record ErrorBody(Detail error) {

    public record Detail(String message, String type, String param, String code) {
    }

    public static ErrorBody of(String message, String type, String param, String code) {
        return new ErrorBody(new Detail(message, type, param, code));
    }
}
