package io.starling.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ClientGoneLogFilterTest {

    @Test
    void theSseHandlersErrorBecomesAWarningAndNothingElseChanges() {
        ClientGoneLogFilter filter = new ClientGoneLogFilter();
        LogRecord sse = record(Level.SEVERE, ClientGoneLogFilter.SSE_HANDLER);
        assertThat(filter.isLoggable(sse)).isTrue();
        assertThat(sse.getLevel()).isEqualTo(Level.WARNING);

        LogRecord ours = record(Level.SEVERE, "io.starling.api.error.ErrorMappers");
        assertThat(filter.isLoggable(ours)).isTrue();
        assertThat(ours.getLevel()).isEqualTo(Level.SEVERE);

        LogRecord info = record(Level.INFO, ClientGoneLogFilter.SSE_HANDLER);
        assertThat(filter.isLoggable(info)).isTrue();
        assertThat(info.getLevel()).isEqualTo(Level.INFO);
    }

    private static LogRecord record(Level level, String logger) {
        LogRecord record = new LogRecord(level, "Exception in SSE server handling, impossible to send it to client");
        record.setLoggerName(logger);
        return record;
    }
}
