package io.starling.telemetry;

import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One line per API request on the {@code io.starling.access} category: the fields of its {@link RequestRecord} as
 * MDC entries, which the JSON console format (the default in the prod profile) writes as the {@code mdc} object,
 * and as {@code key=value} text in the message for the plain format. Raising that category above INFO silences it.
 */
final class AccessLog {

    static final String CATEGORY = "io.starling.access";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    private AccessLog() {
    }

    static void write(RequestRecord record, int status, double durationMs) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        Map<String, String> fields = record.fields(status, durationMs);
        StringBuilder message = new StringBuilder();
        fields.forEach((key, value) -> {
            message.append(message.isEmpty() ? "" : " ").append(key).append('=').append(value);
            MDC.put(key, value);
        });
        try {
            LOG.info(message);
        } finally {
            fields.keySet().forEach(MDC::remove);
        }
    }
}
