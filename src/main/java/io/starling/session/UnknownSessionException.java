package io.starling.session;

/** No open session has this id: it never existed, was closed, or expired (404). */
public final class UnknownSessionException extends Exception {

    private final String sessionId;

    public UnknownSessionException(String sessionId) {
        super("no open session with id '" + sessionId + "' (it may have expired or been closed)");
        this.sessionId = sessionId;
    }

    public String sessionId() {
        return sessionId;
    }
}
