package io.starling.session;

/** The model already keeps its maximum number of sessions and none has expired: the client may retry later (429). */
public final class SessionLimitException extends Exception {

    SessionLimitException(int max) {
        super("the model already keeps its maximum of " + max + " sessions; close one or retry later");
    }
}
