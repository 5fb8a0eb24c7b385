package io.starling.telemetry;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * RESTEasy's SSE handler logs at ERROR when it cannot write to a client that has gone away mid-stream. Starling's
 * streams turn their own failures into an in-band error event, so what reaches that handler is the client's
 * disconnect (the access log counts it as {@code client_closed}): this passes it on as a warning, so that a client
 * hanging up does not page anyone. Every other record is left as it is.
 */
@LoggingFilter(name = "client-gone")
public final class ClientGoneLogFilter implements Filter {

    static final String SSE_HANDLER = "org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getLevel().intValue() > Level.WARNING.intValue() && SSE_HANDLER.equals(record.getLoggerName())) {
            record.setLevel(Level.WARNING);
        }
        return true;
    }
}
