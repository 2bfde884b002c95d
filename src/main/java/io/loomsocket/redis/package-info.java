/**
 * A small Redis client of our own, for Loomsocket's cluster features: RESP2 and RESP3 with no
 * dependency, in the same shape as the WebSocket core — a sans-I/O codec and a thin blocking
 * connection around it.
 *
 * <ul>
 *   <li>{@link io.loomsocket.redis.RespValue} — the values, a sealed interface of records.
 *   <li>{@link io.loomsocket.redis.RespParser} — bytes to values, resumable at any byte, with
 *       limits ({@link io.loomsocket.redis.RespProtocolException} when one is broken).
 *   <li>{@link io.loomsocket.redis.RespWriter} — commands to bytes, one at a time or pipelined.
 *   <li>{@link io.loomsocket.redis.RedisUri} — {@code redis://user:password@host:port/prefix}
 *       (the path is our key prefix, not a database number).
 *   <li>{@link io.loomsocket.redis.RedisConnection} and {@link io.loomsocket.redis.RedisOptions}
 *       — one blocking connection: the {@code HELLO 3} handshake (RESP2 as fall-back or when
 *       forced), request and reply, pipelining, and pushes read on one thread while others write.
 *   <li>{@link io.loomsocket.redis.RedisException} — the server refused a login or a command.
 * </ul>
 *
 * <p>Not there (yet): TLS ({@code rediss://}), Redis Cluster's redirections, Sentinel,
 * reconnection (the caller opens a new connection).
 */
package io.loomsocket.redis;
