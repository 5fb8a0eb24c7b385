package io.starling.session;

/**
 * A request already runs on this session: a conversation takes one turn at a time, since both turns would extend
 * the same KV cache (409).
 */
public final class SessionBusyException extends Exception {

    SessionBusyException(String sessionId) {
        super("session '" + sessionId + "' is busy with another request; retry when it has finished");
    }
}
