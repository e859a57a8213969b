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
 * that throws is recorded as a {@link Failure.Callback}; the client goes on.
 *
 * @param host              the server's address or host name; default {@code "127.0.0.1"}
 * @param port              the server's port; default {@value ServerOptions#DEFAULT_PORT}
 * @param receiveBufferSize the largest piece of raw data handed out at once, in bytes; default
 *                          {@value ServerOptions#DEFAULT_RECEIVE_BUFFER}. Reads adapt underneath (from
 *                          64 bytes to 64 KiB), and a longer read is handed out in pieces of at most
 *                          this size
 * @param framing           how bytes are cut into pieces of data; default {@link Framing#RAW}
 * @param tls               TLS settings, or {@code null} (the default) for plain TCP
 * @param connectTimeout    how long {@link TcpClient#connect()} may take; default 5 s
 * @param idleTimeout       with nothing received for this long, the client disconnects with
 *                          {@link DisconnectReason.TimedOut}; {@link Duration#ZERO} (the default)
 *                          means never
 * @param writeTimeout      a write blocked this long because the server does not read disconnects the
 *                          client with {@link DisconnectReason.TimedOut}, and a send waiting for it
 *                          fails with {@link java.net.SocketTimeoutException}; {@link Duration#ZERO}
 *                          (the default) means never
 * @param keepAlive         whether to turn on TCP keep-alive; default {@code false}
 * @param keepAliveTuning   how keep-alive probes, when it is on; default {@link KeepAlive#SYSTEM}
 * @param tcpNoDelay        whether to turn off Nagle's algorithm; default {@code true}
 * @param reconnect         how to reconnect after the connection is lost (not after
 *                          {@link TcpClient#disconnect()}), or {@code null} (the default) for never
 * @param autoReceive       whether the client reads in the background from the start; default
 *                          {@code false}, as in the seed (see {@link TcpClient#autoReceive(boolean)})
 * @param maxQueuedBytes    how many received bytes may wait for polling before the client stops
 *                          reading; default 1 MiB
 * @param maxPendingSendBytes how many bytes of sends made from threads other than the connection's own
 *                              may wait for the connection's writer; default 1 MiB. Such sends never
 *                              wait for the peer: they are queued and written in order by the
 *                              connection's own writer thread
 * @param sendOverflow        what a send does when it would take the pending bytes past
 *                              {@code maxPendingSendBytes}; default {@link SendOverflow#WAIT}: the sender waits
 *                              for room, at most the write timeout
 * @param maxQueuedEvents   how many connect, disconnect and failure events may wait for polling;
 *                          default 10,000
 * @param maxRecordedFailures how many exceptions the exception list keeps; default 1,000
 * @param closeTimeout      how long {@link TcpClient#close()} waits for its thread; default 500 ms
 * @param onConnect         called after each successful connect, or {@code null}
 * @param onReceive         called with each piece of data, or {@code null}
 * @param onDisconnect      called once when a connection ends, or {@code null}
 * @param onFailure         called when an exception is caught, or {@code null}
 */
public record ClientOptions(
        String host,
        int port,
        int receiveBufferSize,
        Framing framing,
        TlsOptions tls,
        Duration connectTimeout,
        Duration idleTimeout,
        Duration writeTimeout,
        boolean keepAlive,
        KeepAlive keepAliveTuning,
        boolean tcpNoDelay,
        ReconnectPolicy reconnect,
        boolean autoReceive,
        int maxQueuedBytes,
        int maxPendingSendBytes,
        SendOverflow sendOverflow,
        int maxQueuedEvents,
        int maxRecordedFailures,
        Duration closeTimeout,
        OnConnect onConnect,
        OnReceive onReceive,
        OnDisconnect onDisconnect,
        OnFailure onFailure) {

    /**
     * Checks every setting.
     *
     * @throws NullPointerException     if host, framing or a duration is {@code null}
     * @throws IllegalArgumentException if a number or duration is out of range
     */
    public ClientOptions {
        Objects.requireNonNull(host, "host");
        Checks.port(port);
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

        private Builder() {
        }

        private Builder(ClientOptions o) {
            host = o.host;
            port = o.port;
            receiveBufferSize = o.receiveBufferSize;
            framing = o.framing;
            tls = o.tls;
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
         * Sets {@code port}: the server's port.
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
         * underneath: the first is 256 bytes, they double (up to 64 KiB) after a read that fills them,
         * and shrink (down to 64 bytes) after small ones. A read longer than this size is handed out in
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
         * Sets {@code keepAlive}: whether to turn on TCP keep-alive.
         *
         * @param keepAlive whether to turn on TCP keep-alive
         * @return this builder
         */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Turns on TCP keep-alive and sets how it probes (see {@link KeepAlive}).
         *
         * @param idle     quiet time before the first probe; zero for the system's
         * @param interval time between probes; zero for the system's
         * @param count    unanswered probes before the connection is dropped; zero for the system's
         * @return this builder
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
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if a setting is out of range
         */
        public ClientOptions build() {
            return new ClientOptions(host, port, receiveBufferSize, framing, tls, connectTimeout, idleTimeout, writeTimeout,
                    keepAlive, keepAliveTuning, tcpNoDelay, reconnect, autoReceive,
                    maxQueuedBytes, maxPendingSendBytes, sendOverflow, maxQueuedEvents, maxRecordedFailures, closeTimeout, onConnect, onReceive,
                    onDisconnect, onFailure);
        }
    }
}
