package io.loomsocket.io;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketListener;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;

/**
 * Inline mode: the reader thread itself calls the application's {@link WebSocketListener}, in
 * order, with no lock held — one thread per connection, and no hand-off between threads per
 * message. Everything here runs on the reader thread.
 *
 * <p>A callback that throws closes its connection with 1011 after {@code onError}; later
 * messages of that connection are not delivered. A callback that blocks stops reading meanwhile
 * (TCP backpressure on the peer).
 */
final class InlineListener implements ReadLoop.Delivery {

    private static final System.Logger LOG = System.getLogger(InlineListener.class.getName());

    private final SocketSession session;
    private final WebSocketListener listener;
    private boolean failed;

    InlineListener(SocketSession session, WebSocketListener listener) {
        this.session = session;
        this.listener = listener;
    }

    void opened() {
        try {
            listener.onOpen(session);
        } catch (Exception e) {
            failed(e);
        }
    }

    @Override
    public void deliver(DataMessage message) {
        if (failed) {
            return;
        }
        try {
            switch (message) {
                case Message.Text t -> listener.onText(session, t.text());
                case Message.Binary b -> listener.onBinary(session, b.data());
            }
        } catch (WebSocketClosedException e) {
            LOG.log(System.Logger.Level.DEBUG, "listener ended: {0}", e.getMessage());
        } catch (Exception e) {
            failed(e);
        }
    }

    void closed() {
        WebSocket ws = session;
        try {
            listener.onClose(ws, ws.closeCode(), ws.closeReason());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onClose failed", e);
        }
    }

    private void failed(Exception e) {
        failed = true;
        LOG.log(System.Logger.Level.WARNING, "listener failed; closing its connection with 1011", e);
        try {
            listener.onError(session, e);
        } catch (RuntimeException again) {
            LOG.log(System.Logger.Level.WARNING, "onError failed", again);
        }
        session.close(CloseCode.INTERNAL_ERROR, ""); // on the reader thread: does not wait for the reply
    }
}
