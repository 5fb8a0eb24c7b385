package io.starling.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code validating} step of a batch, as OpenAI has it: the input file as a whole must be usable, or the batch
 * fails with the reasons in its {@code errors} and runs nothing. A file is unusable when it holds no request, more
 * than the limit, or lines whose results could not be told apart (not a JSON object, no custom_id, a repeated
 * custom_id). A line that is fine as a line but not as a request (wrong method, a url other than the batch's
 * endpoint, a bad body) is answered with an error line when the batch runs, as OpenAI does.
 */
final class BatchValidation {

    /** What validation found: the requests, and why the file is unusable (empty if it is usable). */
    record Result(long requests, List<BatchObject.Error> errors) {
    }

    /** Lines a file may be refused for; the rest become error lines. */
    private static final Set<String> FILE_ERRORS = Set.of("invalid_json_line", "missing_custom_id", "duplicate_custom_id");
    /** Errors listed at most: enough to fix a file, never a body the size of the file. */
    static final int MAX_ERRORS = 100;

    private BatchValidation() {
    }

    static Result validate(Path input, ObjectMapper mapper, int maxRequests) throws IOException {
        List<BatchObject.Error> errors = new ArrayList<>();
        BatchInput.Reader reader = new BatchInput.Reader(mapper);
        long requests = 0;
        try (JsonLines lines = new JsonLines(input)) {
            for (JsonLines.Line line = lines.next(); line != null; line = lines.next()) {
                requests++;
                if (reader.read(line) instanceof BatchInput.Invalid invalid && FILE_ERRORS.contains(invalid.code())
                        && errors.size() < MAX_ERRORS) {
                    errors.add(new BatchObject.Error(invalid.code(), invalid.message(), null, line.number()));
                }
            }
        }
        if (requests == 0) {
            errors.add(new BatchObject.Error("empty_file", "the input file holds no request", "input_file_id", null));
        } else if (requests > maxRequests) {
            errors.add(new BatchObject.Error("too_many_requests", "the input file holds " + requests
                    + " requests, more than a batch may (" + maxRequests + ", starling.batch.max-requests)",
                    "input_file_id", null));
        }
        return new Result(requests, errors);
    }
}
