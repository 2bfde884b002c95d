/** Fan-out: topics of connections, and broadcasts encoded once and shared by every receiver. */
package io.loomsocket.broadcast;
