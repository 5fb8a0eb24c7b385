package io.starling.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.engine.ModelUnavailableException;
import io.vertx.core.http.HttpClosedException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The mappings no running test server can reach on demand (a model that is not loaded). */
class ErrorMappersTest {

    @Test
    void modelNotLoadedIs503WithRetryAfter() {
        Response response = new ErrorMappers().known(new ModelUnavailableException());
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeaderString("Retry-After")).isEqualTo("1");
        ErrorBody body = (ErrorBody) response.getEntity();
        assertThat(body.error().code()).isEqualTo("model_not_ready");
        assertThat(body.error().type()).isEqualTo("server_error");
    }

    @Test
    void aClientThatClosedMidBodyIsAClientErrorAndOtherIoFailuresAreTheServers() {
        Response closed = new ErrorMappers().io(new IOException(new HttpClosedException("Connection was closed")));
        assertThat(closed.getStatus()).isEqualTo(400);
        assertThat(((ErrorBody) closed.getEntity()).error().code()).isEqualTo("incomplete_body");

        Response unwrapped = new ErrorMappers().io(new HttpClosedException("Connection was closed"));
        assertThat(unwrapped.getStatus()).isEqualTo(400);

        Response disk = new ErrorMappers().io(new IOException("No space left on device"));
        assertThat(disk.getStatus()).isEqualTo(500);
    }

    @Test
    void aBodyThatStopsComingOrAChunkedBodyPastTheLimitIsTheClientsDoing() {
        Response stalled = new ErrorMappers().io(new IOException("Read timed out"));
        assertThat(stalled.getStatus()).isEqualTo(408);
        assertThat(((ErrorBody) stalled.getEntity()).error().code()).isEqualTo("body_timeout");

        Response large = new ErrorMappers().io(new IOException("Request too large"));
        assertThat(large.getStatus()).isEqualTo(413);
        assertThat(((ErrorBody) large.getEntity()).error().code()).isEqualTo("request_too_large");
    }
}
