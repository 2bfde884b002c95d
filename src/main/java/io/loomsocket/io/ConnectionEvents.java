package io.loomsocket.io;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.ProtocolException;
import java.net.SocketAddress;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JDK Flight Recorder events of a connection's life, under the category "Loomsocket":
 * {@code io.loomsocket.ConnectionOpened}, {@code io.loomsocket.ConnectionClosed},
 * {@code io.loomsocket.HandshakeRefused} and {@code io.loomsocket.ProtocolFailure}. Each is made
 * and committed only while a recording has it enabled ({@code jcmd <pid> JFR.start}); otherwise
 * a call here costs a check of a flag. Never per message, and no payload in any field.
 */
public final class ConnectionEvents {

    private ConnectionEvents() {}

    @Name("io.loomsocket.ConnectionOpened")
    @Label("WebSocket Connection Opened")
    @Category("Loomsocket")
    @Description("A server connection completed its opening handshake")
    @StackTrace(false)
    static final class Opened extends Event {
        @Label("Remote Address")
        String remoteAddress;
        @Label("Path")
        String path;
        @Label("Subprotocol")
        String subprotocol;
        @Label("Extensions")
        @Description("The Sec-WebSocket-Extensions of the 101 response")
        String extensions;
    }

    @Name("io.loomsocket.ConnectionClosed")
    @Label("WebSocket Connection Closed")
    @Category("Loomsocket")
    @Description("A server connection is closed: its close code and reason, how long it was open, bytes each way")
    @StackTrace(false)
    static final class Closed extends Event {
        @Label("Remote Address")
        String remoteAddress;
        @Label("Path")
        String path;
        @Label("Close Code")
        int code;
        @Label("Close Reason")
        String reason;
        @Label("Open For")
        @Timespan(Timespan.NANOSECONDS)
        long lifetime;
        @Label("Bytes Received")
        @DataAmount
        long bytesReceived;
        @Label("Bytes Sent")
        @DataAmount
        long bytesSent;
    }

    @Name("io.loomsocket.HandshakeRefused")
    @Label("WebSocket Handshake Refused")
    @Category("Loomsocket")
    @Description("An opening handshake answered with an HTTP error instead of 101")
    @StackTrace(false)
    static final class Refused extends Event {
        @Label("Remote Address")
        String remoteAddress;
        @Label("Path")
        String path;
        @Label("HTTP Status")
        int status;
        @Label("Reason")
        String reason;
    }

    @Name("io.loomsocket.ProtocolFailure")
    @Label("WebSocket Protocol Failure")
    @Category("Loomsocket")
    @Description("The peer broke a rule of RFC 6455 (or RFC 7692); the connection is failed with the rule's close code")
    @StackTrace(false)
    static final class ProtocolFailure extends Event {
        @Label("Remote Address")
        String remoteAddress;
        @Label("Path")
        String path;
        @Label("Rule")
        @Description("The io.loomsocket.protocol.Violation")
        String rule;
        @Label("Section")
        String section;
        @Label("Close Code")
        int closeCode;
        @Label("Message")
        String message;
    }

    public static void opened(WebSocket ws) {
        Opened e = new Opened();
        if (e.isEnabled()) {
            e.remoteAddress = ConnectionLog.address(ws.remoteAddress());
            e.path = ws.path();
            e.subprotocol = ws.subprotocol().orElse("");
            e.extensions = ws.extensions();
            e.commit();
        }
    }

    public static void closed(WebSocket ws, long lifetimeNanos, long bytesReceived, long bytesSent) {
        Closed e = new Closed();
        if (e.isEnabled()) {
            e.remoteAddress = ConnectionLog.address(ws.remoteAddress());
            e.path = ws.path();
            e.code = ws.closeCode().code();
            e.reason = ws.closeReason();
            e.lifetime = lifetimeNanos;
            e.bytesReceived = bytesReceived;
            e.bytesSent = bytesSent;
            e.commit();
        }
    }

    public static void refused(SocketAddress remote, String path, int status, String reason) {
        Refused e = new Refused();
        if (e.isEnabled()) {
            e.remoteAddress = ConnectionLog.address(remote);
            e.path = path;
            e.status = status;
            e.reason = reason;
            e.commit();
        }
    }

    /** The peer broke a rule; failures of our own (1011) are not protocol failures and are logged only. */
    public static void protocolFailure(WebSocket ws, ProtocolException failure) {
        ProtocolFailure e = new ProtocolFailure();
        if (e.isEnabled()) {
            e.remoteAddress = ConnectionLog.address(ws.remoteAddress());
            e.path = ws.path();
            e.rule = failure.violation().name();
            e.section = failure.violation().section();
            e.closeCode = failure.closeCode().code();
            e.message = failure.reason();
            e.commit();
        }
    }
}
