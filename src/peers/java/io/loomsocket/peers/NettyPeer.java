package io.loomsocket.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelMatchers;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2: NIO transport ({@link MultiThreadIoEventLoopGroup} with {@link NioIoHandler}, default
 * thread count), {@link HttpServerCodec} and {@link HttpObjectAggregator} for the handshake,
 * {@link WebSocketServerProtocolHandler} on every path (pings answered, closes handled by Netty),
 * {@link WebSocketFrameAggregator} so that fragmented messages arrive whole. Echo writes the
 * received frame back and flushes once per read batch; broadcast is
 * {@link ChannelGroup#writeAndFlush}, which sends a retained duplicate of the one frame to every
 * member (the payload is not copied; with compression, each connection's encoder compresses it
 * for that connection).
 *
 * <p>Without {@code --deflate} there is no extension handler and extensions are not allowed, so
 * no permessage-deflate. With {@code --deflate}, a {@link WebSocketServerExtensionHandler} before
 * the protocol handler with one {@link PerMessageDeflateServerExtensionHandshaker}: compression
 * level 6, client window bits 15 (the most; so a bare {@code client_max_window_bits} offer gets
 * no {@code client_max_window_bits} in the answer), every message compressed (no threshold),
 * {@code server_max_window_bits} accepted only if JZlib is on the class path (it is not, so an
 * offer with it is declined, as Netty's defaults do), {@code server_no_context_takeover} offers
 * accepted ({@code allowServerNoContext}), and {@code client_no_context_takeover} not asked for
 * ({@code preferredClientNoContext} false: Netty then leaves it out of its answer even when the
 * client offers it, and keeps its inflater's context; a client that offered it still resets its
 * own deflater, which is what it offered). This is {@link WebSocketServerCompressionHandler}'s
 * permessage-deflate handshaker except for {@code allowServerNoContext}, which that handler's
 * constructors leave false (declining every offer with {@code server_no_context_takeover}), and
 * without its second, pre-RFC {@code deflate-frame} handshaker.
 */
final class NettyPeer {

    private NettyPeer() {}

    /** Compression level of the permessage-deflate encoder with {@code --deflate}. */
    static final int DEFLATE_LEVEL = 6;

    /** The client's window bits when it offers a bare {@code client_max_window_bits}: 15, not answered. */
    static final int DEFLATE_WINDOW_BITS = 15;

    static PeerMain.Peer start(String host, int port, boolean deflate) throws InterruptedException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        ChannelGroup broadcast = new DefaultChannelGroup("broadcast", GlobalEventExecutor.INSTANCE);
        ChannelGroup broadcastAll = new DefaultChannelGroup("broadcast-all", GlobalEventExecutor.INSTANCE);
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true) // every path is a WebSocket endpoint
                .maxFramePayloadLength(PeerMain.MAX_MESSAGE)
                .allowExtensions(deflate) // RSV1 on compressed frames
                .handshakeTimeoutMillis(10_000)
                .build();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, PeerMain.BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024));
                        if (deflate) { // answers the offer; adds the deflate encoder and decoder after itself
                            ch.pipeline().addLast(new WebSocketServerExtensionHandler(
                                    new PerMessageDeflateServerExtensionHandshaker(
                                            DEFLATE_LEVEL,
                                            ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), // allowServerWindowSize
                                            DEFLATE_WINDOW_BITS, // preferredClientWindowSize
                                            true, // allowServerNoContext
                                            false))); // preferredClientNoContext
                        }
                        ch.pipeline().addLast(
                                new WebSocketServerProtocolHandler(config),
                                new WebSocketFrameAggregator(PeerMain.MAX_MESSAGE),
                                new ConventionHandler(broadcast, broadcastAll));
                    }
                });
        Channel server = bootstrap.bind(host, port).sync().channel();
        int boundPort = ((InetSocketAddress) server.localAddress()).getPort();
        return new PeerMain.Peer() {
            @Override
            public int port() {
                return boundPort;
            }

            @Override
            public void stop() throws InterruptedException {
                server.close().sync();
                broadcast.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                broadcastAll.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
                workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            }
        };
    }

    /** One per connection: its route is known once the handshake is complete. */
    private static final class ConventionHandler extends ChannelInboundHandlerAdapter {
        private final ChannelGroup broadcast;
        private final ChannelGroup broadcastAll;
        private Route route = Route.ECHO;
        private boolean pendingFlush;

        ConventionHandler(ChannelGroup broadcast, ChannelGroup broadcastAll) {
            this.broadcast = broadcast;
            this.broadcastAll = broadcastAll;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                route = Route.of(handshake.requestUri());
                switch (route) { // a group forgets a channel by itself when it closes
                    case BROADCAST -> broadcast.add(ctx.channel());
                    case BROADCAST_ALL -> broadcastAll.add(ctx.channel());
                    case ECHO -> {}
                }
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof TextWebSocketFrame) && !(msg instanceof BinaryWebSocketFrame)) {
                ReferenceCountUtil.release(msg); // pongs; pings and closes are Netty's
                return;
            }
            switch (route) {
                case ECHO -> {
                    ctx.write(msg, ctx.voidPromise()); // the same frame: same opcode and payload
                    pendingFlush = true;
                }
                // the group sends a retained duplicate to each member, then releases msg
                case BROADCAST -> broadcast.writeAndFlush(msg, ChannelMatchers.isNot(ctx.channel()), true);
                case BROADCAST_ALL -> broadcastAll.writeAndFlush(msg, ChannelMatchers.all(), true);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pendingFlush) {
                pendingFlush = false;
                ctx.flush();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
