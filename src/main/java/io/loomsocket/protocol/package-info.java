/**
 * The sans-I/O core of RFC 6455: frames, masking, UTF-8 validation, message assembly and the
 * connection state machine. Nothing here touches a socket or starts a thread: bytes go in,
 * events and bytes come out.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455">RFC 6455</a>
 */
package io.loomsocket.protocol;
