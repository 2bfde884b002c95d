package io.loomsocket.protocol;

/**
 * The peer broke a rule of RFC 6455: the connection must be failed with
 * {@code violation().closeCode()}. This is the only exception the decoder, the validators and
 * the connection state machine throw for bad input.
 */
public final class ProtocolException extends RuntimeException {

    private final Violation violation;

    public ProtocolException(Violation violation, String message) {
        super(message, null, false, false);
        this.violation = violation;
    }

    public Violation violation() {
        return violation;
    }

    /** The message without the violation suffix: what goes in the close frame's reason. */
    public String reason() {
        return super.getMessage();
    }

    public CloseCode closeCode() {
        return violation.closeCode();
    }

    @Override
    public String getMessage() {
        return super.getMessage() + " [" + violation + ", §" + violation.section() + " -> " + violation.closeCode().code() + "]";
    }
}
