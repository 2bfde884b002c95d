/**
 * The socket layer shared by server and client: small rooms around the sans-I/O core, each
 * owning its state and its lock. Not exported: applications see {@link io.loomsocket.WebSocket}.
 *
 * <h2>The rooms</h2>
 * <ul>
 *   <li>{@link io.loomsocket.io.Transport} — the byte stream ({@link io.loomsocket.io.SocketTransport}
 *       on a plain socket, {@link io.loomsocket.io.TlsTransport} on a JSSE {@code SSLSocket}; the
 *       latter's TLS handshake runs on the thread that will read, and its {@code close} never
 *       sends an alert, so that it never blocks).
 *   <li>{@code ReadLoop} — the reader: one virtual thread per connection reads, feeds the core,
 *       acts on the events in order.
 *   <li>{@code GuardedConnection} — the protocol {@link io.loomsocket.protocol.Connection} and
 *       the lock that serialises every call into it; the owner of a fragmented message.
 *   <li>{@code Inbox} — data messages waiting for {@code receive()}, bounded (pull mode only).
 *   <li>{@code InlineListener} — inline mode: the reader calls the application's listener.
 *   <li>{@link io.loomsocket.io.FrameSharing} — which broadcast receivers share one encoding
 *       (plain, compressed without context takeover, or per connection).
 *   <li>{@code Outbound} — the outbound queue, watermarks, deferred broadcast frames, and the
 *       coalescing writer.
 *   <li>{@code Pings} — pings sent and their futures; {@code Keepalive} — pings and the idle
 *       timeout as tasks on the owner's {@link io.loomsocket.io.Timers}.
 *   <li>{@code Closing} — the closing handshake, failing, aborting, the lingering close, and the
 *       end of the connection (close listeners).
 *   <li>{@link io.loomsocket.io.SocketSession} — the {@link io.loomsocket.WebSocket} and
 *       {@link io.loomsocket.io.BroadcastTarget} that puts them together; it has no lock.
 *   <li>{@link io.loomsocket.io.SessionCounters} — the owner's traffic counters (LongAdders, no
 *       lock), updated by the reader, the writer and senders; {@link io.loomsocket.io.ConnectionLog}
 *       and {@link io.loomsocket.io.ConnectionEvents} — the log lines and Flight Recorder events
 *       of a connection's life, never per message.
 * </ul>
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>The reader</b> (one per connection) is the only thread that reads the transport, touches
 *       the read buffer, and delivers data messages: to the inbox, or inline to the listener.
 *   <li><b>Application threads</b> (handlers, any sender) call sends, pings and closes.
 *   <li><b>The writer</b> is whichever thread finds frames queued and nobody writing; at most one
 *       at a time. A broadcast offer starts a short-lived writer thread when none is active.
 *   <li><b>The timer thread</b> (one per server, one shared by clients) runs keepalive, idle,
 *       close-deadline and deferred-failure tasks; they never block it, and start a virtual
 *       thread for anything that may wait.
 *   <li><b>Short-lived virtual threads</b> complete ping futures (never on the reader), write a
 *       failing connection's close frame, and close slow consumers.
 * </ul>
 *
 * <h2>Locks</h2>
 * <ul>
 *   <li>The <b>core lock</b> ({@code GuardedConnection}) guards the protocol core, the fragment
 *       owner and the local failure reason. Frames the core produces move to the outbound queue
 *       while it is held, so the queue order is the core's order.
 *   <li>The <b>queue lock</b> ({@code Outbound}) guards the queue, deferred frames, byte counts and
 *       the writer flag. Lock order: core lock, then queue lock; never the reverse.
 *   <li>The core lock also guards the connection's permessage-deflate state: its compressor and
 *       inflater are used only by calls into the core, so messages are compressed in the order
 *       they are queued, and inflated in the order they arrive. A broadcast to a receiver with
 *       context takeover is compressed by {@code GuardedConnection.offerMessage}, under it; a
 *       shared compressed frame ({@link io.loomsocket.io.FrameSharing}) is compressed by the
 *       broadcaster with no lock but the pool's. {@code Connection.receiveEof}, from
 *       {@code Closing.finish}, ends the native contexts.
 *   <li>The <b>inbox lock</b> and the <b>pings lock</b> are leaves: nothing else is taken under them.
 *   <li>The zlib context pool's lock ({@code protocol.deflate.ZlibContexts}) is a leaf too, taken
 *       under the core lock or under none.
 *   <li>No lock is held during I/O, while waiting for the peer (backpressure and the inbox wait on
 *       conditions, which release their lock), or while application code runs (listener
 *       callbacks, ping futures' actions, close listeners). All locks are
 *       {@link java.util.concurrent.locks.ReentrantLock}s: a virtual thread blocked in a Java
 *       monitor would pin its carrier thread on JDK 21.
 * </ul>
 */
package io.loomsocket.io;
