package io.starling.telemetry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** Collects the access-log records written while it listens, for tests in any package. */
public final class AccessLogRecords extends Handler implements AutoCloseable {

    private final List<ExtLogRecord> records = new CopyOnWriteArrayList<>();

    public static AccessLogRecords listen() {
        AccessLogRecords handler = new AccessLogRecords();
        Logger.getLogger(AccessLog.CATEGORY).addHandler(handler);
        return handler;
    }

    @Override
    public void publish(LogRecord record) {
        ExtLogRecord ext = (ExtLogRecord) record;
        ext.copyMdc();
        records.add(ext);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger(AccessLog.CATEGORY).removeHandler(this);
    }

    /** The record of the request with this id, waited for: the end handler runs when the last byte is written. */
    public ExtLogRecord await(String requestId) {
        return await(r -> requestId.equals(r.getMdcCopy().get("request_id")));
    }

    public ExtLogRecord await(Predicate<ExtLogRecord> match) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (ExtLogRecord r : records) {
                if (match.test(r)) {
                    return r;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no access-log record matched; got " + records.stream().map(ExtLogRecord::getMdcCopy).toList());
    }

    /** The MDC fields of the request with this id. */
    public Map<String, String> fields(String requestId) {
        return await(requestId).getMdcCopy();
    }
}
