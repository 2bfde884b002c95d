package io.loomsocket.protocol;

/**
 * A close status code (RFC 6455 §7.4). A record rather than an enum, because 3000–4999 is an
 * open range that libraries and applications register or use privately. The named constants use
 * the names of the IANA "WebSocket Close Code Number Registry".
 *
 * @param code the 16-bit status code
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.4">RFC 6455 §7.4</a>
 * @see <a href="https://www.iana.org/assignments/websocket/websocket.xhtml#close-code-number">IANA registry</a>
 */
public record CloseCode(int code) {

    public static final CloseCode NORMAL_CLOSURE = new CloseCode(1000);
    public static final CloseCode GOING_AWAY = new CloseCode(1001);
    public static final CloseCode PROTOCOL_ERROR = new CloseCode(1002);
    public static final CloseCode UNSUPPORTED_DATA = new CloseCode(1003);
    /** Reserved: never sent on the wire; means "the close frame had no status code". */
    public static final CloseCode NO_STATUS_RCVD = new CloseCode(1005);
    /** Reserved: never sent on the wire; means "the connection closed without a close frame". */
    public static final CloseCode ABNORMAL_CLOSURE = new CloseCode(1006);
    public static final CloseCode INVALID_FRAME_PAYLOAD_DATA = new CloseCode(1007);
    public static final CloseCode POLICY_VIOLATION = new CloseCode(1008);
    public static final CloseCode MESSAGE_TOO_BIG = new CloseCode(1009);
    public static final CloseCode MANDATORY_EXT = new CloseCode(1010);
    public static final CloseCode INTERNAL_ERROR = new CloseCode(1011);
    public static final CloseCode SERVICE_RESTART = new CloseCode(1012);
    public static final CloseCode TRY_AGAIN_LATER = new CloseCode(1013);
    public static final CloseCode BAD_GATEWAY = new CloseCode(1014);
    /** Reserved: never sent on the wire; means "the TLS handshake failed". */
    public static final CloseCode TLS_HANDSHAKE = new CloseCode(1015);

    public CloseCode {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("close code out of 16-bit range: " + code);
        }
    }

    /**
     * Whether this code may appear in a Close frame: the codes IANA defines for use on the wire
     * (1000–1003, 1007–1014) and the registered and private ranges 3000–4999. 1004 is reserved,
     * 1005, 1006 and 1015 "MUST NOT be set as a status code in a Close control frame by an
     * endpoint", and 0–999, 1016–2999 and 5000+ are not used.
     *
     * <p>This is the one place that decides it: the decoder rejects received codes for which it
     * is false (1002), and the encoder refuses to send them.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1">RFC 6455 §7.4.1</a>
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.4.2">RFC 6455 §7.4.2</a>
     */
    public boolean isValidOnWire() {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    /** The IANA name of a registered code, or "Library/framework"/"Private use" for the ranges. */
    public String ianaName() {
        return switch (code) {
            case 1000 -> "Normal Closure";
            case 1001 -> "Going Away";
            case 1002 -> "Protocol error";
            case 1003 -> "Unsupported Data";
            case 1004 -> "Reserved";
            case 1005 -> "No Status Rcvd";
            case 1006 -> "Abnormal Closure";
            case 1007 -> "Invalid frame payload data";
            case 1008 -> "Policy Violation";
            case 1009 -> "Message Too Big";
            case 1010 -> "Mandatory Ext.";
            case 1011 -> "Internal Error";
            case 1012 -> "Service Restart";
            case 1013 -> "Try Again Later";
            case 1014 -> "Bad Gateway";
            case 1015 -> "TLS handshake";
            default -> code >= 3000 && code <= 3999 ? "Library/framework"
                    : code >= 4000 && code <= 4999 ? "Private use"
                    : "Unassigned";
        };
    }

    @Override
    public String toString() {
        return code + " (" + ianaName() + ")";
    }
}
