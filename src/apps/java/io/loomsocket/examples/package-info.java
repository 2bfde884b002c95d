/**
 * The example applications behind the jar's commands (broadcast, chat, channels and ticker, the
 * demo) and the tiny JSON codec they share. Not exported: they are programs, not library API.
 */
package io.loomsocket.examples;
