package simplesockets.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link TcpServer} is set up with: the seed's {@code TCPServer(max_connections)} and
 * {@code setup(...)} arguments, plus the limits a serious server needs. Immutable; build it with
 * {@link #builder()}.
 *
 * <p>Each callback is optional. An event whose callback is set goes to the callback (on the
 * connection's own virtual thread); an event whose callback is not set is kept for polling in the
 * polling style (no {@code onReceive}, no handler), and not kept in the callback or handler style,
 * where nothing polls (failures are in the exception list either way). With a
 * {@link #handler() handler}, the handler reads the connection and no {@code Received} events arise.
 * A callback that throws an exception (or an {@link AssertionError}, a test's) is recorded as a
 * {@link Failure.Callback}; the connection and the server go on. One that throws another {@link Error}
 * ends its connection, reported with {@link DisconnectReason.Failed} (the error is its cause), and the
 * server goes on; from {@code onDisconnect}, whose end is reported already, such an error is only logged.
 */
public final class ServerOptions {

    /** The seed's default port. */
    public static final int DEFAULT_PORT = 25567;
    /**
     * The value of {@link #backlog()} that means the system's largest listen backlog: on Linux
     * {@code /proc/sys/net/core/somaxconn} (4096 on current kernels), and 1024 where the system does
     * not say. The default. (The seed's 5 overflowed under a burst of 100 clients, which then waited
     * seconds for a retry of their connect.)
     */
    public static final int SYSTEM_BACKLOG = 0;
    /** The default listen backlog: {@link #SYSTEM_BACKLOG}, the system's largest. */
    public static final int DEFAULT_BACKLOG = SYSTEM_BACKLOG;
    /** The seed's default receive buffer, in bytes. */
    public static final int DEFAULT_RECEIVE_BUFFER = 2048;
    /** The value of {@link #maxConnections()} that means no limit. */
    public static final int UNLIMITED = 0;

    private final String host;
    private final int port;
    private final int backlog;
    private final int receiveBufferSize;
    private final int maxConnections;
    private final Framing framing;
    private final TlsOptions tls;
    private final ProxyProtocol proxyProtocol;
    private final Duration idleTimeout;
    private final Duration writeTimeout;
    private final boolean keepAlive;
    private final KeepAlive keepAliveTuning;
    private final boolean tcpNoDelay;
    private final Duration halfCloseGrace;
    private final int maxQueuedBytesPerConnection;
    private final int maxPendingSendBytes;
    private final SendOverflow sendOverflow;
    private final long maxQueuedBytesTotal;
    private final int maxQueuedEvents;
    private final int maxRecordedFailures;
    private final Duration closeTimeout;
    private final OnConnect onConnect;
    private final OnReceive onReceive;
    private final OnDisconnect onDisconnect;
    private final OnFailure onFailure;
    private final ConnectionHandler handler;
    private final java.nio.file.Path unixSocket;
    private final java.util.Set<java.nio.file.attribute.PosixFilePermission> unixSocketPermissions;

    private ServerOptions(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.backlog = b.backlog;
        this.receiveBufferSize = b.receiveBufferSize;
        this.maxConnections = b.maxConnections;
        this.framing = b.framing;
        this.tls = b.tls;
        this.proxyProtocol = b.proxyProtocol;
        this.idleTimeout = b.idleTimeout;
        this.writeTimeout = b.writeTimeout;
        this.keepAlive = b.keepAlive;
        this.keepAliveTuning = b.keepAliveTuning;
        this.tcpNoDelay = b.tcpNoDelay;
        this.halfCloseGrace = b.halfCloseGrace;
        this.maxQueuedBytesPerConnection = b.maxQueuedBytesPerConnection;
        this.maxPendingSendBytes = b.maxPendingSendBytes;
        this.sendOverflow = b.sendOverflow;
        this.maxQueuedBytesTotal = b.maxQueuedBytesTotal;
        this.maxQueuedEvents = b.maxQueuedEvents;
        this.maxRecordedFailures = b.maxRecordedFailures;
        this.closeTimeout = b.closeTimeout;
        this.onConnect = b.onConnect;
        this.onReceive = b.onReceive;
        this.onDisconnect = b.onDisconnect;
        this.onFailure = b.onFailure;
        this.handler = b.handler;
        this.unixSocket = b.unixSocket;
        this.unixSocketPermissions = b.unixSocketPermissions == null ? null : java.util.Set.copyOf(b.unixSocketPermissions);
        Objects.requireNonNull(host, "host");
        Checks.port(port);
        Checks.notNegative("backlog", backlog);
        Checks.positive("receiveBufferSize", receiveBufferSize);
        Checks.notNegative("maxConnections", maxConnections);
        Objects.requireNonNull(framing, "framing");
        Checks.notNegative("idleTimeout", idleTimeout);
        Objects.requireNonNull(keepAliveTuning, "keepAliveTuning");
        Checks.notNegative("writeTimeout", writeTimeout);
        Checks.notNegative("halfCloseGrace", halfCloseGrace);
        Checks.positive("maxQueuedBytesPerConnection", maxQueuedBytesPerConnection);
        Checks.positive("maxPendingSendBytes", maxPendingSendBytes);
        Objects.requireNonNull(sendOverflow, "sendOverflow");
        if (maxQueuedBytesTotal < 1) {
            throw new IllegalArgumentException("maxQueuedBytesTotal must be at least 1: " + maxQueuedBytesTotal);
        }
        Checks.positive("maxQueuedEvents", maxQueuedEvents);
        Checks.positive("maxRecordedFailures", maxRecordedFailures);
        Checks.notNegative("closeTimeout", closeTimeout);
        if (handler != null && onReceive != null) {
            throw new IllegalArgumentException("handler and onReceive are both set: a handler reads its connection"
                    + " itself, so onReceive would never be called; set one of them");
        }
        Checks.unixSocket(unixSocket, tls, keepAlive);
        if (tls != null && tls.keyless()) {
            throw new IllegalArgumentException("the TLS options have no key store, which a server needs for its"
                    + " certificate: TlsOptions.builder().keyStore(path, password); a trust store alone is for clients");
        }
        if (unixSocketPermissions != null && unixSocket == null) {
            throw new IllegalArgumentException("unixSocketPermissions are set but there is no unixSocket");
        }
    }

    /**
     * A builder with the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from these settings.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Called on the connection's virtual thread when a client has connected, before any of its data
     * is delivered.
     */
    @FunctionalInterface
    public interface OnConnect {
        /**
         * Handles a new connection.
         *
         * @param connection the connection
         * @throws Exception anything; it is recorded and the connection goes on
         */
        void connected(Connection connection) throws Exception;
    }

    /** Called on the connection's virtual thread with each piece of data, in order. */
    @FunctionalInterface
    public interface OnReceive {
        /**
         * Handles data.
         *
         * @param connection who sent it; {@link Connection#send(byte[])} answers
         * @param data       the bytes, a fresh array the callback owns
         * @throws Exception anything; it is recorded and the connection goes on
         */
        void received(Connection connection, byte[] data) throws Exception;
    }

    /** Called once on the connection's virtual thread when a connection has ended. */
    @FunctionalInterface
    public interface OnDisconnect {
        /**
         * Handles the end of a connection.
         *
         * @param connection the closed connection
         * @param reason     why it ended
         * @throws Exception anything; it is recorded
         */
        void disconnected(Connection connection, DisconnectReason reason) throws Exception;
    }

    /** Builds {@link ServerOptions}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private int backlog = DEFAULT_BACKLOG;
        private int receiveBufferSize = DEFAULT_RECEIVE_BUFFER;
        private int maxConnections = UNLIMITED;
        private Framing framing = Framing.RAW;
        private TlsOptions tls;
        private ProxyProtocol proxyProtocol;
        private Duration idleTimeout = Duration.ZERO;
        private Duration writeTimeout = Duration.ZERO;
        private boolean keepAlive;
        private KeepAlive keepAliveTuning = KeepAlive.SYSTEM;
        private boolean tcpNoDelay = true;
        private Duration halfCloseGrace = Duration.ofMillis(200);
        private int maxQueuedBytesPerConnection = 1 << 20;
        private int maxPendingSendBytes = 1 << 20;
        private SendOverflow sendOverflow = SendOverflow.DISCONNECT;
        private long maxQueuedBytesTotal = 64L << 20;
        private int maxQueuedEvents = 10_000;
        private int maxRecordedFailures = 1_000;
        private Duration closeTimeout = Duration.ofMillis(500);
        private OnConnect onConnect;
        private OnReceive onReceive;
        private OnDisconnect onDisconnect;
        private OnFailure onFailure;
        private ConnectionHandler handler;
        private java.nio.file.Path unixSocket;
        private java.util.Set<java.nio.file.attribute.PosixFilePermission> unixSocketPermissions;

        private Builder() {
        }

        private Builder(ServerOptions o) {
            host = o.host;
            port = o.port;
            backlog = o.backlog;
            receiveBufferSize = o.receiveBufferSize;
            maxConnections = o.maxConnections;
            framing = o.framing;
            tls = o.tls;
            proxyProtocol = o.proxyProtocol;
            idleTimeout = o.idleTimeout;
            writeTimeout = o.writeTimeout;
            keepAlive = o.keepAlive;
            keepAliveTuning = o.keepAliveTuning;
            tcpNoDelay = o.tcpNoDelay;
            halfCloseGrace = o.halfCloseGrace;
            maxQueuedBytesPerConnection = o.maxQueuedBytesPerConnection;
            maxPendingSendBytes = o.maxPendingSendBytes;
            sendOverflow = o.sendOverflow;
            maxQueuedBytesTotal = o.maxQueuedBytesTotal;
            maxQueuedEvents = o.maxQueuedEvents;
            maxRecordedFailures = o.maxRecordedFailures;
            closeTimeout = o.closeTimeout;
            onConnect = o.onConnect;
            onReceive = o.onReceive;
            onDisconnect = o.onDisconnect;
            onFailure = o.onFailure;
            handler = o.handler;
            unixSocket = o.unixSocket;
            unixSocketPermissions = o.unixSocketPermissions;
        }

        /**
         * Sets {@code host}: the address or host name to bind.
         *
         * @param host the address or host name to bind
         * @return this builder
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /**
         * Sets {@code port}: the port, 0 for any free one.
         *
         * @param port the port, 0 for any free one
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Sets {@code backlog}: the listen backlog, or {@link #SYSTEM_BACKLOG} for the system's largest.
         *
         * @param backlog the listen backlog; not negative
         * @return this builder
         */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /**
         * Sets {@code receiveBufferSize}: the largest piece of raw data handed out at once. Reads adapt
         * underneath: the first is 256 bytes, they double (up to 64 KiB, or this size if larger) after a
         * read that fills them, and shrink (down to 64 bytes) after small ones. A read longer than this size is handed out in
         * pieces of at most this size, so the seed's chunk bound holds while a stream costs few system
         * calls and a quiet connection holds a small buffer.
         *
         * @param receiveBufferSize the largest piece handed out at once, in bytes
         * @return this builder
         */
        public Builder receiveBufferSize(int receiveBufferSize) {
            this.receiveBufferSize = receiveBufferSize;
            return this;
        }

        /**
         * Sets {@code maxConnections}: the connection limit, {@value ServerOptions#UNLIMITED} for none.
         *
         * @param maxConnections the connection limit, {@value ServerOptions#UNLIMITED} for none
         * @return this builder
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Sets {@code framing}: the framing.
         *
         * @param framing the framing
         * @return this builder
         */
        public Builder framing(Framing framing) {
            this.framing = framing;
            return this;
        }

        /**
         * Sets {@code tls}: the TLS settings, or {@code null} for plain TCP.
         *
         * @param tls the TLS settings, or {@code null} for plain TCP
         * @return this builder
         */
        public Builder tls(TlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Sets {@code proxyProtocol}: read a PROXY protocol header (version 1 or 2) first on every
         * connection, from trusted proxies only, or {@code null} (the default) for none.
         *
         * @param proxyProtocol the setting, or {@code null} for none
         * @return this builder
         */
        public Builder proxyProtocol(ProxyProtocol proxyProtocol) {
            this.proxyProtocol = proxyProtocol;
            return this;
        }

        /**
         * Sets {@code idleTimeout}: the idle timeout, {@link Duration#ZERO} for none.
         *
         * @param idleTimeout the idle timeout, {@link Duration#ZERO} for none
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Sets {@code writeTimeout}: how long a send may block on a peer that does not read, {@link Duration#ZERO} for ever.
         *
         * @param writeTimeout how long a send may block on a peer that does not read, {@link Duration#ZERO} for ever
         * @return this builder
         */
        public Builder writeTimeout(Duration writeTimeout) {
            this.writeTimeout = writeTimeout;
            return this;
        }

        /**
         * Sets {@code keepAlive}: whether to turn on TCP keep-alive. Turning it off drops any tuning set
         * before (so that options made with tuning, and {@code toBuilder()}, can turn it off).
         *
         * @param keepAlive whether to turn on TCP keep-alive
         * @return this builder
         */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            if (!keepAlive) {
                this.keepAliveTuning = KeepAlive.SYSTEM;
            }
            return this;
        }

        /**
         * Turns on TCP keep-alive and sets how it probes (see {@link KeepAlive}).
         *
         * @param idle     quiet time before the first probe; zero for the system's
         * @param interval time between probes; zero for the system's
         * @param count    unanswered probes before the connection is dropped; zero for the system's
         * @return this builder
         * @throws NullPointerException     if a duration is {@code null}
         * @throws IllegalArgumentException if a value is out of {@link KeepAlive}'s ranges; here, at once,
         *                                  not by {@code build()}
         */
        public Builder keepAlive(Duration idle, Duration interval, int count) {
            this.keepAlive = true;
            this.keepAliveTuning = new KeepAlive(idle, interval, count);
            return this;
        }

        /**
         * Sets {@code tcpNoDelay}: whether to turn off Nagle's algorithm.
         *
         * @param tcpNoDelay whether to turn off Nagle's algorithm
         * @return this builder
         */
        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        /**
         * Sets {@code bytes}: the bound of the bytes in flight of all connections together.
         *
         * @param bytes the bound of the bytes in flight of all connections together
         * @return this builder
         */
        public Builder maxQueuedBytesTotal(long bytes) {
            this.maxQueuedBytesTotal = bytes;
            return this;
        }

        /**
         * Sets {@code halfCloseGrace}: the grace after a peer's half-close.
         *
         * @param halfCloseGrace the grace after a peer's half-close
         * @return this builder
         */
        public Builder halfCloseGrace(Duration halfCloseGrace) {
            this.halfCloseGrace = halfCloseGrace;
            return this;
        }

        /**
         * Sets {@code maxPendingSendBytes}: how many bytes of sends from other threads may wait for the
         * connection's writer.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxPendingSendBytes(int bytes) {
            this.maxPendingSendBytes = bytes;
            return this;
        }

        /**
         * Sets {@code sendOverflow}: what a send from another thread does when the pending bytes are full.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder sendOverflow(SendOverflow policy) {
            this.sendOverflow = policy;
            return this;
        }

        /**
         * Sets {@code bytes}: the per-connection bound of bytes waiting for polling.
         *
         * @param bytes the per-connection bound of bytes waiting for polling
         * @return this builder
         */
        public Builder maxQueuedBytesPerConnection(int bytes) {
            this.maxQueuedBytesPerConnection = bytes;
            return this;
        }

        /**
         * Sets {@code events}: the bound of lifecycle events waiting for polling.
         *
         * @param events the bound of lifecycle events waiting for polling
         * @return this builder
         */
        public Builder maxQueuedEvents(int events) {
            this.maxQueuedEvents = events;
            return this;
        }

        /**
         * Sets {@code failures}: the bound of the exception list.
         *
         * @param failures the bound of the exception list
         * @return this builder
         */
        public Builder maxRecordedFailures(int failures) {
            this.maxRecordedFailures = failures;
            return this;
        }

        /**
         * Sets {@code closeTimeout}: how long close waits for threads.
         *
         * @param closeTimeout how long close waits for threads
         * @return this builder
         */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /**
         * Sets {@code onConnect}: the connect callback, or {@code null} to poll.
         *
         * @param onConnect the connect callback, or {@code null} to poll
         * @return this builder
         */
        public Builder onConnect(OnConnect onConnect) {
            this.onConnect = onConnect;
            return this;
        }

        /**
         * Sets {@code onReceive}: the data callback, or {@code null} to poll.
         *
         * @param onReceive the data callback, or {@code null} to poll
         * @return this builder
         */
        public Builder onReceive(OnReceive onReceive) {
            this.onReceive = onReceive;
            return this;
        }

        /**
         * Sets {@code onDisconnect}: the disconnect callback, or {@code null} to poll.
         *
         * @param onDisconnect the disconnect callback, or {@code null} to poll
         * @return this builder
         */
        public Builder onDisconnect(OnDisconnect onDisconnect) {
            this.onDisconnect = onDisconnect;
            return this;
        }

        /**
         * Sets {@code onFailure}: the failure callback, or {@code null} to poll.
         *
         * @param onFailure the failure callback, or {@code null} to poll
         * @return this builder
         */
        public Builder onFailure(OnFailure onFailure) {
            this.onFailure = onFailure;
            return this;
        }

        /**
         * Sets {@code handler}: the blocking connection handler, or {@code null}.
         *
         * @param handler the blocking connection handler, or {@code null}
         * @return this builder
         */
        public Builder handler(ConnectionHandler handler) {
            this.handler = handler;
            return this;
        }

        /**
         * Sets {@code unixSocket}: listen on a Unix domain socket file instead of a TCP port.
         *
         * @param unixSocket the socket file, or {@code null} for TCP
         * @return this builder
         */
        public Builder unixSocket(java.nio.file.Path unixSocket) {
            this.unixSocket = unixSocket;
            return this;
        }

        /**
         * Sets {@code unixSocketPermissions}: who may connect to the Unix domain socket file.
         *
         * @param unixSocketPermissions the permissions, for example {@code PosixFilePermissions.fromString("rw-rw----")}, or {@code null} to keep the umask's
         * @return this builder
         */
        public Builder unixSocketPermissions(java.util.Set<java.nio.file.attribute.PosixFilePermission> unixSocketPermissions) {
            this.unixSocketPermissions = unixSocketPermissions;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if a setting is out of range, or settings contradict each other
         *                                  (TLS options built without a key store, for one)
         */
        public ServerOptions build() {
            return new ServerOptions(this);
        }
    }

    /**
     * The address or host name to bind; default {@code "127.0.0.1"} (the seed bound the machine's host name;
     * bind {@code "0.0.0.0"} to listen everywhere).
     *
     * @return the setting
     */
    public String host() {
        return host;
    }

    /**
     * The port; default {@value #DEFAULT_PORT}, 0 picks a free one.
     *
     * @return the setting
     */
    public int port() {
        return port;
    }

    /**
     * The listen backlog, or {@value #SYSTEM_BACKLOG} (the default) for the system's largest (see {@link
     * #SYSTEM_BACKLOG}; the seed's 5 was a defect).
     *
     * @return the setting
     */
    public int backlog() {
        return backlog;
    }

    /**
     * The largest piece of raw data handed out at once, in bytes; default {@value #DEFAULT_RECEIVE_BUFFER}.
     * Reads adapt underneath (from 64 bytes to 64 KiB, or to the receive size if larger), and a longer read is handed out in pieces of at most
     * this size.
     *
     * @return the setting
     */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /**
     * The most connections served at once, or {@value #UNLIMITED} for no limit (the default); past it, new
     * connections are closed at once. A connection holds its place from its accept (its PROXY protocol
     * header and TLS handshake included) until its end is decided and its failure, if any, recorded: an
     * {@code onFailure} that takes long keeps its connection's place meanwhile.
     *
     * @return the setting
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * How bytes are cut into pieces of data; default {@link Framing#RAW}.
     *
     * @return the setting
     */
    public Framing framing() {
        return framing;
    }

    /**
     * TLS settings, or empty (the default) for plain TCP.
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<TlsOptions> tls() {
        return java.util.Optional.ofNullable(tls);
    }

    /**
     * The PROXY protocol, or empty (the default) for none. When set, each connection must come
     * from a trusted proxy and begin with a version 1 or 2 header, which the server reads (before any TLS
     * handshake) on the connection's own thread before the connection is announced;
     * {@link Connection#remoteAddress()} is then the client's address as the header says, and
     * {@link Connection#proxyAddress()} the proxy's. See {@link ProxyProtocol} for what is refused.
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<ProxyProtocol> proxyProtocol() {
        return java.util.Optional.ofNullable(proxyProtocol);
    }

    /**
     * A connection with nothing received and nothing sent for this long is closed with
     * {@link DisconnectReason.TimedOut}; {@link Duration#ZERO} (the default) means never. It counts while
     * the connection's reader waits in a read for more bytes (in the polling style, also while earlier
     * data waits to be polled) and no write is in progress, from the later of the read's start and the
     * last write's end: a long reply written to a peer that only reads keeps its connection. Not while a
     * callback or handler runs, a send of its own blocked on a peer that does not read included (see the
     * write timeout).
     *
     * @return the setting
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * A write blocked this long because the peer does not read (a send on the connection's own thread, or its
     * writer's) closes the connection with {@link DisconnectReason.TimedOut}, and the blocked or waiting send
     * fails with {@link java.net.SocketTimeoutException}; {@link Duration#ZERO} (the default) means never.
     * Writes are timed in pieces of 64 KiB, so a large send to a peer that reads is not cut off. But a
     * write blocked on a full socket is woken only once a good part of the socket's send buffer (which the
     * kernel grows to megabytes) has drained, so a peer that reads much slower than that per timeout
     * counts as one that does not read: set the timeout for the slowest reader you serve.
     *
     * @return the setting
     */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /**
     * Whether to turn on TCP keep-alive ({@code SO_KEEPALIVE}), so the kernel detects dead peers on idle
     * connections; default {@code false}.
     *
     * @return the setting
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * How keep-alive probes, when it is on; default {@link KeepAlive#SYSTEM}.
     *
     * @return the setting
     */
    public KeepAlive keepAliveTuning() {
        return keepAliveTuning;
    }

    /**
     * Whether to turn off Nagle's algorithm ({@code TCP_NODELAY}); default {@code true}.
     *
     * @return the setting
     */
    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    /**
     * When a peer shuts down its output and its data waits for polling, the connection stays open for replies
     * until that data is drained and then this long; default 200 ms. Replies sent by then still go out
     * after it, for as long as the peer reads them: they are dropped once a whole {@link #closeTimeout()}
     * passes without a piece of them written (they go out in pieces of up to 64 KiB, a large send too), so
     * at most about
     * {@link #maxPendingSendBytes()} / 64 KiB close timeouts (8 s by default). Such a connection no longer
     * counts against {@link #maxConnections()} while its replies go out.
     *
     * @return the setting
     */
    public Duration halfCloseGrace() {
        return halfCloseGrace;
    }

    /**
     * How many received bytes of one connection may wait for polling before the server stops reading it (TCP
     * flow control then slows the peer); default 1 MiB. At most half of {@link #maxPendingSendBytes()} is
     * used (512 KiB by default), so that the replies to what was read fit beside the sends still pending:
     * raise both to let more wait.
     *
     * @return the setting
     */
    public int maxQueuedBytesPerConnection() {
        return maxQueuedBytesPerConnection;
    }

    /**
     * How many bytes of sends made from threads other than the connection's own may wait for the connection's
     * writer; default 1 MiB. Such sends never wait for the peer: they are queued and written in order by the
     * connection's own writer thread. Each queued send counts 32 bytes beyond its length, for what its
     * place in the queue costs, so that many tiny (or empty) sends cannot pile up under the bound.
     *
     * @return the setting
     */
    public int maxPendingSendBytes() {
        return maxPendingSendBytes;
    }

    /**
     * What a send does when it would take the pending bytes past {@code maxPendingSendBytes}; default {@link
     * SendOverflow#DISCONNECT}: the slow peer is disconnected with {@link DisconnectReason.SlowConsumer}, so
     * that one peer that does not read cannot hold up the others.
     *
     * @return the setting
     */
    public SendOverflow sendOverflow() {
        return sendOverflow;
    }

    /**
     * How many bytes of all connections together may be in flight: received data waiting for polling,
     * frames (or lines) still arriving, and sends waiting for their writer; default 64 MiB. Past it, a
     * connection that is building a frame or a line waits before it reads more (TCP flow control then
     * slows its peer), while a connection that holds nothing reads on, so fresh clients are still served.
     * One builder at a time may still read on until its frame is done, in turns of at most a second
     * while others wait, so frames that alone fill the bound, or a frame larger than it, still arrive,
     * and a peer that stops or trickles mid-frame cannot hold up the others. The turns have a price:
     * peers that each stop just short of the end of a large frame can pass the bound by up to one such
     * frame each, one more a second, until their frames finish or their connections end; where peers are
     * not trusted, set an {@link #idleTimeout() idle timeout}, or a maximum frame well under the bound. Polling readers also wait
     * while the data waiting for polling alone is at the bound; a connection that ended with data still
     * waiting counts 2 KiB more until that data is taken, as the data keeps the whole connection. A frame still arriving is charged what has
     * arrived of it, up to twice that as its buffer grows, never its announced size.
     * <p>Sends count toward it (so readers are held back while replies pile up) but are never refused or
     * held by it: each connection's sends are bounded by {@link #maxPendingSendBytes()}. A broadcast
     * counts once per connection it is queued for.
     *
     * @return the setting
     */
    public long maxQueuedBytesTotal() {
        return maxQueuedBytesTotal;
    }

    /**
     * How many connect, disconnect and failure events may wait for polling; past it the oldest are dropped
     * and counted; default 10,000.
     *
     * @return the setting
     */
    public int maxQueuedEvents() {
        return maxQueuedEvents;
    }

    /**
     * How many exceptions the exception list keeps; past it the oldest are dropped and counted; default
     * 1,000.
     *
     * @return the setting
     */
    public int maxRecordedFailures() {
        return maxRecordedFailures;
    }

    /**
     * How long {@link TcpServer#close()} waits for threads to end; default 500 ms.
     *
     * @return the setting
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * Called when a client connects, or empty (the default).
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<OnConnect> onConnect() {
        return java.util.Optional.ofNullable(onConnect);
    }

    /**
     * Called with each piece of data, or empty (the default).
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<OnReceive> onReceive() {
        return java.util.Optional.ofNullable(onReceive);
    }

    /**
     * Called once when a connection ends, or empty (the default).
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<OnDisconnect> onDisconnect() {
        return java.util.Optional.ofNullable(onDisconnect);
    }

    /**
     * Called when an exception is caught, or empty (the default).
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<OnFailure> onFailure() {
        return java.util.Optional.ofNullable(onFailure);
    }

    /**
     * Serves each connection in blocking style, or empty (the default).
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<ConnectionHandler> handler() {
        return java.util.Optional.ofNullable(handler);
    }

    /**
     * The Unix domain socket file to listen on instead of a TCP port ({@code host} and {@code port} are then not used), or empty for TCP (the default). {@code start()} removes a stale socket file there (one that nobody listens on) and refuses anything else with a {@link java.net.BindException}; closing the listener ({@code exitAccept()}, {@code close()}) removes the file. A Unix peer has no address of its own: both addresses of its connection show this path, unresolved, with port 0. TCP options ({@code tcpNoDelay}) do not apply; TLS and keep-alive are refused.
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<java.nio.file.Path> unixSocket() {
        return java.util.Optional.ofNullable(unixSocket);
    }

    /**
     * The permissions given to the Unix domain socket file right after binding, which decide who may connect (a peer needs write permission), or empty to keep what the process umask gave. Between the bind and this, the umask applies: for a strict guard, put the socket in a directory only the intended users can enter.
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<java.util.Set<java.nio.file.attribute.PosixFilePermission>> unixSocketPermissions() {
        return java.util.Optional.ofNullable(unixSocketPermissions);
    }

    /**
     * Whether the other object is options of this type with equal settings (callbacks compare by
     * identity).
     *
     * @param other the other object
     * @return whether they are equal
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ServerOptions o
                && java.util.Objects.equals(host, o.host)
                && port == o.port
                && backlog == o.backlog
                && receiveBufferSize == o.receiveBufferSize
                && maxConnections == o.maxConnections
                && java.util.Objects.equals(framing, o.framing)
                && java.util.Objects.equals(tls, o.tls)
                && java.util.Objects.equals(proxyProtocol, o.proxyProtocol)
                && java.util.Objects.equals(idleTimeout, o.idleTimeout)
                && java.util.Objects.equals(writeTimeout, o.writeTimeout)
                && keepAlive == o.keepAlive
                && java.util.Objects.equals(keepAliveTuning, o.keepAliveTuning)
                && tcpNoDelay == o.tcpNoDelay
                && java.util.Objects.equals(halfCloseGrace, o.halfCloseGrace)
                && maxQueuedBytesPerConnection == o.maxQueuedBytesPerConnection
                && maxPendingSendBytes == o.maxPendingSendBytes
                && java.util.Objects.equals(sendOverflow, o.sendOverflow)
                && maxQueuedBytesTotal == o.maxQueuedBytesTotal
                && maxQueuedEvents == o.maxQueuedEvents
                && maxRecordedFailures == o.maxRecordedFailures
                && java.util.Objects.equals(closeTimeout, o.closeTimeout)
                && java.util.Objects.equals(onConnect, o.onConnect)
                && java.util.Objects.equals(onReceive, o.onReceive)
                && java.util.Objects.equals(onDisconnect, o.onDisconnect)
                && java.util.Objects.equals(onFailure, o.onFailure)
                && java.util.Objects.equals(handler, o.handler)
                && java.util.Objects.equals(unixSocket, o.unixSocket)
                && java.util.Objects.equals(unixSocketPermissions, o.unixSocketPermissions);
    }

    /**
     * A hash of the settings.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return java.util.Objects.hash(host, port, backlog, receiveBufferSize, maxConnections, framing, tls, proxyProtocol, idleTimeout, writeTimeout, keepAlive, keepAliveTuning, tcpNoDelay, halfCloseGrace, maxQueuedBytesPerConnection, maxPendingSendBytes, sendOverflow, maxQueuedBytesTotal, maxQueuedEvents, maxRecordedFailures, closeTimeout, onConnect, onReceive, onDisconnect, onFailure, handler, unixSocket, unixSocketPermissions);
    }

    /**
     * The settings, for logs.
     *
     * @return a readable form
     */
    @Override
    public String toString() {
        return "ServerOptions[host=" + host + ", port=" + port + ", backlog=" + backlog + ", receiveBufferSize=" + receiveBufferSize + ", maxConnections=" + maxConnections + ", framing=" + framing + ", tls=" + tls + ", proxyProtocol=" + proxyProtocol + ", idleTimeout=" + idleTimeout + ", writeTimeout=" + writeTimeout + ", keepAlive=" + keepAlive + ", keepAliveTuning=" + keepAliveTuning + ", tcpNoDelay=" + tcpNoDelay + ", halfCloseGrace=" + halfCloseGrace + ", maxQueuedBytesPerConnection=" + maxQueuedBytesPerConnection + ", maxPendingSendBytes=" + maxPendingSendBytes + ", sendOverflow=" + sendOverflow + ", maxQueuedBytesTotal=" + maxQueuedBytesTotal + ", maxQueuedEvents=" + maxQueuedEvents + ", maxRecordedFailures=" + maxRecordedFailures + ", closeTimeout=" + closeTimeout + ", onConnect=" + onConnect + ", onReceive=" + onReceive + ", onDisconnect=" + onDisconnect + ", onFailure=" + onFailure + ", handler=" + handler + ", unixSocket=" + unixSocket
                + ", unixSocketPermissions=" + unixSocketPermissions + "]";
    }
}
