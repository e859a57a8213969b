package simplesockets.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;
import simplesockets.api.TlsOptions;

/**
 * One echo (or sink) server per process, every kind started the same way:
 * {@code java -cp ... simplesockets.bench.EchoServers KIND [KEYSTORE]}. It prints {@code ready PORT}, then
 * answers commands on stdin: {@code stats} prints {@code rss_kb=... heap_kb=... cpu_ms=...} after a full GC,
 * {@code cpu} the same without the GC (the reading a measured window begins and ends with, which a GC would
 * lengthen and bill), {@code settled} the same once the RSS has settled, with {@code rss_kb_at_gc=... settle_ms=...}, {@code close}
 * closes the server and prints {@code closed_ms=...}, and end of input exits.
 *
 * <p>Kinds: {@code ss-raw} (default options: pieces of at most 2 KiB), {@code ss-raw-64k} (pieces of up to 64 KiB), {@code ss-framed}, {@code ss-tls}, {@code ss-sink},
 * {@code ss-poll} (the tutorial's polling loop on a platform thread), {@code ss-poll-vt} (the same loop on a
 * virtual thread), {@code ss-poll-framed} (the polling loop with length-prefixed framing), {@code netty-nio},
 * {@code netty-epoll}, {@code netty-sink}, {@code threads} (a platform thread per connection), {@code vthreads} (a
 * virtual thread per connection, the floor of this library's design: nothing but the JDK), {@code ss-raw-unix}
 * (ss-raw on the Unix domain socket named by {@code -Dbench.unix=PATH}; it prints {@code ready 0}). With
 * {@code -Dbench.stats=MILLIS}, a simplesockets server's {@code stats()} is read that often ({@link StatsReader}).
 */
public final class EchoServers {

    private EchoServers() {
    }

    interface Running {
        int port();

        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        Running server = switch (kind) {
            case "ss-raw" -> simplesockets(ServerOptions.builder(), false);
            case "ss-raw-unix" -> simplesockets(ServerOptions.builder()
                    .unixSocket(Path.of(System.getProperty("bench.unix"))), false);
            case "ss-raw-64k" -> simplesockets(ServerOptions.builder().receiveBufferSize(64 * 1024), false);
            case "ss-framed" -> simplesockets(ServerOptions.builder().framing(Framing.lengthPrefixed(1 << 20)), false);
            case "ss-tls" -> simplesockets(ServerOptions.builder().tls(TlsOptions.builder()
                    .keyStore(Path.of(args[1]), "changeit".toCharArray()).build()), false);
            case "ss-sink" -> simplesockets(ServerOptions.builder().receiveBufferSize(64 * 1024), true);
            case "ss-poll" -> polling(Thread.ofPlatform(), Framing.RAW);
            case "ss-poll-vt" -> polling(Thread.ofVirtual(), Framing.RAW);
            case "ss-poll-framed" -> polling(Thread.ofPlatform(), Framing.lengthPrefixed(1 << 20));
            case "netty-nio" -> netty(false, false);
            case "netty-epoll" -> netty(true, false);
            case "netty-sink" -> netty(false, true);
            case "threads" -> threadPerConnection();
            case "vthreads" -> virtualThreadPerConnection();
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
        System.out.println("ready " + server.port());
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = commands.readLine(); line != null; line = commands.readLine()) {
            switch (line.trim()) {
                case "stats" -> System.out.println("stats " + processStats());
                case "cpu" -> System.out.println("stats " + readStats());
                case "settled" -> System.out.println("stats " + settledStats());
                case "close" -> {
                    long started = System.nanoTime();
                    server.close();
                    System.out.println("closed_ms=" + (System.nanoTime() - started) / 1_000_000);
                }
                default -> System.out.println("unknown command " + line);
            }
            System.out.flush();
        }
        System.exit(0);
    }

    /** After a full GC: {@code rss_kb=... heap_kb=... cpu_ms=...} of this process. */
    static String processStats() {
        System.gc();
        return readStats();
    }

    /**
     * As {@link #processStats()}, once the RSS has settled after the full GC, with {@code settle_ms=...}: in the
     * seconds after a collection the JVM gives memory back (G1 uncommits heap regions in the background, and
     * the JIT's arenas are freed on a timer), so an RSS read at once counts memory an idle process no longer
     * holds. Read every second until two reads differ by less than 1%, for at most 20 s. The RSS read at once
     * after the same GC is {@code rss_kb_at_gc}.
     */
    static String settledStats() throws InterruptedException {
        System.gc();
        long started = System.nanoTime();
        long atGc = rssKb();
        long previous = atGc;
        for (int i = 0; i < 20; i++) {
            Thread.sleep(1_000);
            long now = rssKb();
            boolean settled = Math.abs(now - previous) < Math.max(1, previous / 100);
            previous = now;
            if (settled) {
                break;
            }
        }
        return readStats() + " rss_kb_at_gc=" + atGc + " settle_ms=" + (System.nanoTime() - started) / 1_000_000;
    }

    private static String readStats() {
        Runtime rt = Runtime.getRuntime();
        long cpuMs = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
        return "rss_kb=" + rssKb() + " heap_kb=" + (rt.totalMemory() - rt.freeMemory()) / 1024 + " cpu_ms=" + cpuMs;
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static Running simplesockets(ServerOptions.Builder options, boolean sink) throws Exception {
        TcpServer server = TcpServer.create(options.host("127.0.0.1").port(0).backlog(4096)
                .onReceive(sink ? (c, d) -> { } : (c, d) -> c.send(d))
                .closeTimeout(Duration.ofSeconds(5))
                .build());
        server.start();
        StatsReader.startIfAsked(server);
        return new Running() {
            public int port() {
                return server.localAddress().orElseThrow().getPort();
            }

            public void close() {
                server.close();
            }
        };
    }

    /**
     * What users run first: the tutorial's polling echo server, as the examples' {@code EchoServer}
     * does it, with default options (only host and port set): one thread drains what was received
     * and sends each piece back.
     *
     * @param thread the kind of thread the loop runs on: a platform thread, as a {@code main} method's
     *               loop does, or a virtual one
     */
    private static Running polling(Thread.Builder thread, Framing framing) throws Exception {
        TcpServer server = TcpServer.create(ServerOptions.builder().host("127.0.0.1").port(0).framing(framing).build());
        server.start();
        StatsReader.startIfAsked(server);
        Thread loop = thread.name("poll").start(() -> {
            try {
                while (server.state() != simplesockets.api.ServerState.CLOSED) {
                    for (simplesockets.api.ServerEvent.Received r : server.awaitReceived(Duration.ofSeconds(1))) {
                        try {
                            server.send(r.connection(), r.data());
                        } catch (java.io.IOException e) {
                            // the client left before its echo
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return new Running() {
            public int port() {
                return server.localAddress().orElseThrow().getPort();
            }

            public void close() throws Exception {
                server.close();
                loop.join(Duration.ofSeconds(5));
            }
        };
    }

    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        private final boolean sink;

        Echo(boolean sink) {
            this.sink = sink;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (sink) {
                ((ByteBuf) msg).release();
            } else {
                ctx.write(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static Running netty(boolean epoll, boolean sink) throws Exception {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Echo echo = new Echo(sink);
        Channel channel = new ServerBootstrap().group(boss, workers)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(echo);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        return new Running() {
            public int port() {
                return ((InetSocketAddress) channel.localAddress()).getPort();
            }

            public void close() throws Exception {
                channel.close().sync();
                boss.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).sync();
                workers.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).sync();
            }
        };
    }

    /** The naive baseline: one platform thread per connection, blocking reads and writes, 8 KiB buffer. */
    /**
     * The least a server with a virtual thread per connection can do: plain JDK sockets, one virtual thread
     * per connection in a blocking read and write, one frame of its own on the thread's stack, and a
     * 256-byte buffer (this library's first read size), so idle memory compares like with like. No
     * framing, no limits, no stats, no shutdown of its connections: the floor under {@code ss-raw}.
     */
    private static Running virtualThreadPerConnection() throws Exception {
        return perConnection(Thread.ofVirtual(), socket -> new ThreadEcho(socket, 256));
    }

    private static Running threadPerConnection() throws Exception {
        return perConnection(Thread.ofPlatform().daemon().stackSize(256 * 1024), socket -> new ThreadEcho(socket, 8192));
    }

    /**
     * One connection's blocking echo. A class rather than a lambda: a virtual thread parked in its read
     * keeps one frame for it, not three.
     */
    private record ThreadEcho(Socket socket, int bufferSize) implements Runnable {
        @Override
        public void run() {
            byte[] buffer = new byte[bufferSize];
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                }
            } catch (Exception e) {
                // the peer went away
            }
        }
    }

    /** A plain JDK listener that starts a thread of {@code threads} running {@code echo} for each connection. */
    private static Running perConnection(Thread.Builder threads, java.util.function.Function<Socket, Runnable> echo)
            throws Exception {
        ServerSocket listener = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    socket.setTcpNoDelay(true);
                    threads.start(echo.apply(socket));
                } catch (Exception e) {
                    return;
                }
            }
        });
        return new Running() {
            public int port() {
                return listener.getLocalPort();
            }

            public void close() throws Exception {
                listener.close();
                acceptor.join(5_000);
            }
        };
    }
}
