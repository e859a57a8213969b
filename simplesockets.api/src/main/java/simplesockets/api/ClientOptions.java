package simplesockets.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link TcpClient} is set up with: the seed's {@code setup(target_ip, target_port,
 * recv_buffer, on_connect, on_disconnect, on_receive)}, plus the limits a serious client needs.
 * Immutable; build it with {@link #builder()}.
 *
 * <p>Each callback is optional. An event whose callback is set goes to the callback (on the
 * client's reader thread, or on the thread that called {@code connect} for {@code onConnect}); an
 * event whose callback is not set is kept for polling when the client is polled (no
 * {@code onReceive}), and not kept when it has an {@code onReceive} (nothing polls then; failures are
 * in the exception list either way, and {@code Reconnecting} events are always kept). A callback
 * that throws an exception (or an {@link AssertionError}) is recorded as a {@link Failure.Callback}; the
 * client goes on. One that throws another {@link Error} ends the connection, reported with
 * {@link DisconnectReason.Failed}, and the reconnect policy, if any, reconnects.
 */
public final class ClientOptions {

    private final String host;
    private final int port;
    private final int receiveBufferSize;
    private final Framing framing;
    private final TlsOptions tls;
    private final ProxyHeader proxyHeader;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Duration writeTimeout;
    private final boolean keepAlive;
    private final KeepAlive keepAliveTuning;
    private final boolean tcpNoDelay;
    private final ReconnectPolicy reconnect;
    private final boolean autoReceive;
    private final int maxQueuedBytes;
    private final int maxPendingSendBytes;
    private final SendOverflow sendOverflow;
    private final int maxQueuedEvents;
    private final int maxRecordedFailures;
    private final Duration closeTimeout;
    private final OnConnect onConnect;
    private final OnReceive onReceive;
    private final OnDisconnect onDisconnect;
    private final OnFailure onFailure;
    private final java.nio.file.Path unixSocket;

    private ClientOptions(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.receiveBufferSize = b.receiveBufferSize;
        this.framing = b.framing;
        this.tls = b.tls;
        this.proxyHeader = b.proxyHeader;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.writeTimeout = b.writeTimeout;
        this.keepAlive = b.keepAlive;
        this.keepAliveTuning = b.keepAliveTuning;
        this.tcpNoDelay = b.tcpNoDelay;
        this.reconnect = b.reconnect;
        this.autoReceive = b.autoReceive;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.maxPendingSendBytes = b.maxPendingSendBytes;
        this.sendOverflow = b.sendOverflow;
        this.maxQueuedEvents = b.maxQueuedEvents;
        this.maxRecordedFailures = b.maxRecordedFailures;
        this.closeTimeout = b.closeTimeout;
        this.onConnect = b.onConnect;
        this.onReceive = b.onReceive;
        this.onDisconnect = b.onDisconnect;
        this.onFailure = b.onFailure;
        this.unixSocket = b.unixSocket;
        Objects.requireNonNull(host, "host");
        Checks.port(port);
        if (port == 0 && unixSocket == null) {
            throw new IllegalArgumentException("port must be the server's, 1 to 65535: 0 picks a free port for a server"
                    + " to listen on, and no server can be reached there");
        }
        Checks.positive("receiveBufferSize", receiveBufferSize);
        Objects.requireNonNull(framing, "framing");
        Checks.notNegative("connectTimeout", connectTimeout);
        Checks.notNegative("idleTimeout", idleTimeout);
        Objects.requireNonNull(keepAliveTuning, "keepAliveTuning");
        Checks.notNegative("writeTimeout", writeTimeout);
        Checks.positive("maxQueuedBytes", maxQueuedBytes);
        Checks.positive("maxPendingSendBytes", maxPendingSendBytes);
        Objects.requireNonNull(sendOverflow, "sendOverflow");
        Checks.positive("maxQueuedEvents", maxQueuedEvents);
        Checks.positive("maxRecordedFailures", maxRecordedFailures);
        Checks.notNegative("closeTimeout", closeTimeout);
        Checks.unixSocket(unixSocket, tls, keepAlive);
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

    /** Called after each successful connect. */
    @FunctionalInterface
    public interface OnConnect {
        /**
         * Handles the connect.
         *
         * @throws Exception anything; it is recorded
         */
        void connected() throws Exception;
    }

    /** Called on the reader thread with each piece of data, in order. */
    @FunctionalInterface
    public interface OnReceive {
        /**
         * Handles data.
         *
         * @param data the bytes, a fresh array the callback owns
         * @throws Exception anything; it is recorded
         */
        void received(byte[] data) throws Exception;
    }

    /** Called once when a connection ends. */
    @FunctionalInterface
    public interface OnDisconnect {
        /**
         * Handles the end of the connection.
         *
         * @param reason why it ended
         * @throws Exception anything; it is recorded
         */
        void disconnected(DisconnectReason reason) throws Exception;
    }

    /** Builds {@link ClientOptions}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = ServerOptions.DEFAULT_PORT;
        private int receiveBufferSize = ServerOptions.DEFAULT_RECEIVE_BUFFER;
        private Framing framing = Framing.RAW;
        private TlsOptions tls;
        private ProxyHeader proxyHeader;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ZERO;
        private Duration writeTimeout = Duration.ZERO;
        private boolean keepAlive;
        private KeepAlive keepAliveTuning = KeepAlive.SYSTEM;
        private boolean tcpNoDelay = true;
        private ReconnectPolicy reconnect;
        private boolean autoReceive;
        private int maxQueuedBytes = 1 << 20;
        private int maxPendingSendBytes = 1 << 20;
        private SendOverflow sendOverflow = SendOverflow.WAIT;
        private int maxQueuedEvents = 10_000;
        private int maxRecordedFailures = 1_000;
        private Duration closeTimeout = Duration.ofMillis(500);
        private OnConnect onConnect;
        private OnReceive onReceive;
        private OnDisconnect onDisconnect;
        private OnFailure onFailure;
        private java.nio.file.Path unixSocket;

        private Builder() {
        }

        private Builder(ClientOptions o) {
            host = o.host;
            port = o.port;
            receiveBufferSize = o.receiveBufferSize;
            framing = o.framing;
            tls = o.tls;
            proxyHeader = o.proxyHeader;
            connectTimeout = o.connectTimeout;
            idleTimeout = o.idleTimeout;
            writeTimeout = o.writeTimeout;
            keepAlive = o.keepAlive;
            keepAliveTuning = o.keepAliveTuning;
            tcpNoDelay = o.tcpNoDelay;
            reconnect = o.reconnect;
            autoReceive = o.autoReceive;
            maxQueuedBytes = o.maxQueuedBytes;
            maxPendingSendBytes = o.maxPendingSendBytes;
            sendOverflow = o.sendOverflow;
            maxQueuedEvents = o.maxQueuedEvents;
            maxRecordedFailures = o.maxRecordedFailures;
            closeTimeout = o.closeTimeout;
            onConnect = o.onConnect;
            onReceive = o.onReceive;
            onDisconnect = o.onDisconnect;
            onFailure = o.onFailure;
            unixSocket = o.unixSocket;
        }

        /**
         * Sets {@code host}: the server's address or host name.
         *
         * @param host the server's address or host name
         * @return this builder
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /**
         * Sets {@code port}: the server's port, 1 to 65535 ({@link #build()} refuses 0 but for a Unix socket,
         * where the port is not used).
         *
         * @param port the server's port
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Sets host and port from an address, such as a server's {@link TcpServer#localAddress()}.
         *
         * @param address the server's address
         * @return this builder
         */
        public Builder address(java.net.InetSocketAddress address) {
            this.host = address.getHostString();
            this.port = address.getPort();
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
         * Sets {@code proxyHeader}: a PROXY protocol header to send first on every connection, or
         * {@code null} (the default) for none.
         *
         * @param proxyHeader the header, or {@code null} for none
         * @return this builder
         */
        public Builder proxyHeader(ProxyHeader proxyHeader) {
            this.proxyHeader = proxyHeader;
            return this;
        }

        /**
         * Sets {@code connectTimeout}: how long a connect may take.
         *
         * @param connectTimeout how long a connect may take
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
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
         * Sets {@code writeTimeout}: how long a send may block on a server that does not read, {@link Duration#ZERO} for ever.
         *
         * @param writeTimeout how long a send may block on a server that does not read, {@link Duration#ZERO} for ever
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
         * Sets {@code reconnect}: the reconnect policy, or {@code null} never to reconnect by itself.
         *
         * @param reconnect the reconnect policy, or {@code null} never to reconnect by itself
         * @return this builder
         */
        public Builder reconnect(ReconnectPolicy reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        /**
         * Sets {@code autoReceive}: whether to read in the background from the start.
         *
         * @param autoReceive whether to read in the background from the start
         * @return this builder
         */
        public Builder autoReceive(boolean autoReceive) {
            this.autoReceive = autoReceive;
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
         * Sets {@code bytes}: the bound of received bytes waiting for polling.
         *
         * @param bytes the bound of received bytes waiting for polling
         * @return this builder
         */
        public Builder maxQueuedBytes(int bytes) {
            this.maxQueuedBytes = bytes;
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
         * Sets {@code closeTimeout}: how long close waits for the client's thread.
         *
         * @param closeTimeout how long close waits for the client's thread
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
         * Sets {@code unixSocket}: connect to a Unix domain socket file instead of a TCP address.
         *
         * @param unixSocket the socket file, or {@code null} for TCP
         * @return this builder
         */
        public Builder unixSocket(java.nio.file.Path unixSocket) {
            this.unixSocket = unixSocket;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if a setting is out of range
         */
        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }

    /**
     * The server's address or host name; default {@code "127.0.0.1"}.
     *
     * @return the setting
     */
    public String host() {
        return host;
    }

    /**
     * The server's port; default {@value ServerOptions#DEFAULT_PORT}.
     *
     * @return the setting
     */
    public int port() {
        return port;
    }

    /**
     * The largest piece of raw data handed out at once, in bytes; default {@value
     * ServerOptions#DEFAULT_RECEIVE_BUFFER}. Reads adapt underneath (from 64 bytes to 64 KiB, or to this
     * size if larger), and a longer read is handed out in pieces of at most this size.
     *
     * @return the setting
     */
    public int receiveBufferSize() {
        return receiveBufferSize;
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
     * A PROXY protocol header to send first, or empty (the default) for none. It is written on
     * every connection (and every reconnection) right after the connect, before a TLS handshake and
     * before anything else; a failure to write it fails the connect.
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<ProxyHeader> proxyHeader() {
        return java.util.Optional.ofNullable(proxyHeader);
    }

    /**
     * How long {@link TcpClient#connect()} may wait for the host name's lookup and the server to accept,
     * together; default 5 s. With TLS, the handshake that follows has a bound of its own
     * ({@link TlsOptions#handshakeTimeout()}), so a connect may take both. It bounds the wait for the
     * server's answer over TCP and over a Unix domain socket alike (a listener that does not accept keeps a
     * connect waiting), and the wait for a resolver that does not answer; a connect past it fails with a
     * {@link java.net.SocketTimeoutException}, recorded as a {@link Failure.Connect}. {@link Duration#ZERO}
     * waits as long as the system does.
     *
     * @return the setting
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * With nothing received and nothing sent for this long, the client disconnects with
     * {@link DisconnectReason.TimedOut}; {@link Duration#ZERO} (the default) means never. It counts while
     * the client's reader waits in a read for more bytes (with background receiving off, only while
     * someone waits for data, where waits less than this timeout apart count as one, as a poll loop's
     * do; time checked about four times per timeout) and no write is in progress, from the later of the
     * read's start and the last write's end.
     *
     * @return the setting
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * A write blocked this long because the server does not read disconnects the client with {@link
     * DisconnectReason.TimedOut}, and a send waiting for it fails with {@link
     * java.net.SocketTimeoutException}; {@link Duration#ZERO} (the default) means never. A write blocked on a
     * full socket is woken only once a good part of the socket's send buffer has drained, so a server
     * that reads much slower than that per timeout counts as one that does not read.
     *
     * @return the setting
     */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /**
     * Whether to turn on TCP keep-alive; default {@code false}.
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
     * Whether to turn off Nagle's algorithm; default {@code true}.
     *
     * @return the setting
     */
    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    /**
     * How to reconnect after the connection is lost (not after {@link TcpClient#disconnect()}), or empty
     * (the default) for never.
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<ReconnectPolicy> reconnect() {
        return java.util.Optional.ofNullable(reconnect);
    }

    /**
     * Whether the client reads in the background from the start; default {@code false}, as in the seed (see
     * {@link TcpClient#autoReceive(boolean)}).
     *
     * @return the setting
     */
    public boolean autoReceive() {
        return autoReceive;
    }

    /**
     * How many received bytes may wait for polling before the client stops reading; default 1 MiB. At most
     * half of {@link #maxPendingSendBytes()} is used (512 KiB by default), so that the replies to what was
     * read fit beside the sends still pending: raise both to let more wait.
     *
     * @return the setting
     */
    public int maxQueuedBytes() {
        return maxQueuedBytes;
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
     * SendOverflow#WAIT}: the sender waits for room while the server reads; a server that stops reading
     * is ended by the write timeout, when one is set, and the waiting send throws.
     *
     * @return the setting
     */
    public SendOverflow sendOverflow() {
        return sendOverflow;
    }

    /**
     * How many connect, disconnect and failure events may wait for polling; default 10,000.
     *
     * @return the setting
     */
    public int maxQueuedEvents() {
        return maxQueuedEvents;
    }

    /**
     * How many exceptions the exception list keeps; default 1,000.
     *
     * @return the setting
     */
    public int maxRecordedFailures() {
        return maxRecordedFailures;
    }

    /**
     * How long {@link TcpClient#close()} waits for its thread; default 500 ms.
     *
     * @return the setting
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * Called after each successful connect, or empty (the default).
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
     * The Unix domain socket file to connect to instead of a TCP address ({@code host} and {@code port} are then not used), or empty for TCP (the default). {@link TcpClient#address()} then shows the path, unresolved, with port 0. TCP options do not apply; TLS and keep-alive are refused.
     *
     * @return the setting, or empty when it is not set
     */
    public java.util.Optional<java.nio.file.Path> unixSocket() {
        return java.util.Optional.ofNullable(unixSocket);
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
        return other instanceof ClientOptions o
                && java.util.Objects.equals(host, o.host)
                && port == o.port
                && receiveBufferSize == o.receiveBufferSize
                && java.util.Objects.equals(framing, o.framing)
                && java.util.Objects.equals(tls, o.tls)
                && java.util.Objects.equals(proxyHeader, o.proxyHeader)
                && java.util.Objects.equals(connectTimeout, o.connectTimeout)
                && java.util.Objects.equals(idleTimeout, o.idleTimeout)
                && java.util.Objects.equals(writeTimeout, o.writeTimeout)
                && keepAlive == o.keepAlive
                && java.util.Objects.equals(keepAliveTuning, o.keepAliveTuning)
                && tcpNoDelay == o.tcpNoDelay
                && java.util.Objects.equals(reconnect, o.reconnect)
                && autoReceive == o.autoReceive
                && maxQueuedBytes == o.maxQueuedBytes
                && maxPendingSendBytes == o.maxPendingSendBytes
                && java.util.Objects.equals(sendOverflow, o.sendOverflow)
                && maxQueuedEvents == o.maxQueuedEvents
                && maxRecordedFailures == o.maxRecordedFailures
                && java.util.Objects.equals(closeTimeout, o.closeTimeout)
                && java.util.Objects.equals(onConnect, o.onConnect)
                && java.util.Objects.equals(onReceive, o.onReceive)
                && java.util.Objects.equals(onDisconnect, o.onDisconnect)
                && java.util.Objects.equals(onFailure, o.onFailure)
                && java.util.Objects.equals(unixSocket, o.unixSocket);
    }

    /**
     * A hash of the settings.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return java.util.Objects.hash(host, port, receiveBufferSize, framing, tls, proxyHeader, connectTimeout, idleTimeout, writeTimeout, keepAlive, keepAliveTuning, tcpNoDelay, reconnect, autoReceive, maxQueuedBytes, maxPendingSendBytes, sendOverflow, maxQueuedEvents, maxRecordedFailures, closeTimeout, onConnect, onReceive, onDisconnect, onFailure, unixSocket);
    }

    /**
     * The settings, for logs.
     *
     * @return a readable form
     */
    @Override
    public String toString() {
        return "ClientOptions[host=" + host + ", port=" + port + ", receiveBufferSize=" + receiveBufferSize + ", framing=" + framing + ", tls=" + tls + ", proxyHeader=" + proxyHeader + ", connectTimeout=" + connectTimeout + ", idleTimeout=" + idleTimeout + ", writeTimeout=" + writeTimeout + ", keepAlive=" + keepAlive + ", keepAliveTuning=" + keepAliveTuning + ", tcpNoDelay=" + tcpNoDelay + ", reconnect=" + reconnect + ", autoReceive=" + autoReceive + ", maxQueuedBytes=" + maxQueuedBytes + ", maxPendingSendBytes=" + maxPendingSendBytes + ", sendOverflow=" + sendOverflow + ", maxQueuedEvents=" + maxQueuedEvents + ", maxRecordedFailures=" + maxRecordedFailures + ", closeTimeout=" + closeTimeout + ", onConnect=" + onConnect + ", onReceive=" + onReceive + ", onDisconnect=" + onDisconnect + ", onFailure=" + onFailure
                + ", unixSocket=" + unixSocket + "]";
    }
}
