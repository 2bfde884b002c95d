/**
 * The socket layer shared by server and client: one virtual thread reads and feeds the protocol
 * core; sends are queued in protocol order and written, coalesced, by whichever thread holds the
 * write lock. Not exported.
 */
package io.loomsocket.io;
