package simplesockets.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.KeepAlive;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * A plain socket. Its {@link #endInput(Clock)} keeps what has already arrived: the JDK's socket, once its
 * input is shut down, returns end of stream at the next read even while the kernel still holds bytes
 * the peer sent (and TCP acknowledged), so a graceful close would drop a request read in part. So
 * ending the input does not shut it down: the next read takes, without waiting, the bytes the kernel
 * holds, then returns end of stream. Only a read that still waits a moment later is woken by
 * {@link #shutdownInput()}; by then it waits for bytes that came after the end, and whatever it returns
 * as the input is shut down under it is dropped too (end of stream): the rest of those bytes can no
 * longer be read, and none of a message is better than a part.
 */
class SocketTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(SocketTransport.class);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    /** Set by {@link #endInput(Clock)} and {@link #shutdownInput()}: reads take what has arrived, then end the stream. */
    private volatile boolean ending;
    /** Whether a read of the socket, which may wait, is under way. */
    private volatile boolean reading;
    /** Whether the input was shut down under a waiting read. */
    private volatile boolean shutUnderRead;
    /** Once ending: the bytes still to take, or -1 until the reader first looks. The reader's only. */
    private long arrived = -1;
    /** Whether the last read filled its buffer: more of the same message may be on its way. The reader's only. */
    private boolean lastFilled;
    /** Set once this side began to close the socket: a read failing on a closed socket after that is ours. */
    private volatile boolean closing;
    /** Whether the reader asked for the rest of a message it began ({@link #awaitRest()}). The reader's only. */
    private boolean restAsked;
    /** Whether a wait for more, once ending, saw nothing or the end: no more waits. The reader's only. */
    private boolean waitedInVain;

    SocketTransport(Socket socket) throws IOException {
        this(socket, null);
    }

    /**
     * @param sameLocal a local address to keep instead of an equal one of this socket's, or null: every
     *                  connection a listener accepts has the same local address (unless it listens on
     *                  every address), and an idle connection need not hold a copy of its own
     */
    SocketTransport(Socket socket, InetSocketAddress sameLocal) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        InetSocketAddress own = (InetSocketAddress) socket.getLocalSocketAddress();
        boolean scoped = own != null && own.getAddress() instanceof java.net.Inet6Address six && six.getScopeId() != 0;
        this.local = own != null && !scoped && own.equals(sameLocal) ? sameLocal : own; // equals ignores an IPv6 scope
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (ending) {
            return readWhatArrived(buffer, offset, length);
        }
        reading = true;
        try {
            // Looked at again once reading is published: the ending side sets ending, then looks at reading.
            if (ending) {
                return readWhatArrived(buffer, offset, length);
            }
            int n = in.read(buffer, offset, length);
            lastFilled = n == length;
            return shutUnderRead ? -1 : n;
        } catch (SocketException e) {
            // The TLS engine closes its socket on the peer's own close, but on a reset or a dead peer too
            // (keep-alive's "timed out"): only the first is an end of stream.
            if (socket.isClosed() && !closing && !Transports.saysPeerFailed(e)) {
                return -1;
            }
            throw Transports.resetByPeer(e, !closing);
        } finally {
            reading = false;
        }
    }

    /** The input is ending: the bytes the kernel held when the reader first looked, then end of stream. */
    private int readWhatArrived(byte[] buffer, int offset, int length) throws IOException {
        boolean rest = restAsked; // asked for this read only
        restAsked = false;
        try {
            if (arrived < 0) {
                arrived = in.available(); // 0 once the input was shut down under a waiting read
            }
            if (arrived <= 0 && !shutUnderRead && moreArrived()) {
                return readSettling(buffer, offset, length);
            }
            if (arrived <= 0 && (lastFilled || rest) && !waitedInVain) {
                // The rest of a message may still be on its way (a balancer forwards a request in parts). The
                // reader holds part of a frame: wait for the rest, as long as the close's grace lets it. Or
                // the last read filled its buffer (raw data, no frames to tell): wait a moment.
                socket.setSoTimeout(rest ? 0 : Math.toIntExact(Transports.INPUT_SETTLE.toMillis()));
                lastFilled = false;
                try {
                    int n = in.read(buffer, offset, length);
                    lastFilled = n == length;
                    waitedInVain = n < 0;
                    return n;
                } catch (java.net.SocketTimeoutException quiet) {
                    waitedInVain = true;
                    return -1;
                }
            }
            int n = arrived <= 0 ? -1 : in.read(buffer, offset, (int) Math.min(length, arrived)); // never waits
            arrived -= Math.max(n, 0);
            lastFilled = n == length;
            return n;
        } catch (SocketException e) {
            throw Transports.resetByPeer(e, !closing); // the TLS engine closes its socket on a reset itself
        }
    }

    /**
     * Whether bytes have arrived that {@code available()} did not count; the reading thread asks once the
     * input is ending and the counted bytes are taken. A plain socket counts all of them.
     */
    boolean moreArrived() throws IOException {
        return false;
    }

    /**
     * Reads what {@link #moreArrived()} found, waiting at most {@link Transports#INPUT_SETTLE} for it to
     * make a whole unit of the stream; end of stream if it does not.
     */
    private int readSettling(byte[] buffer, int offset, int length) throws IOException {
        socket.setSoTimeout(Math.toIntExact(Transports.INPUT_SETTLE.toMillis()));
        try {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                arrived = in.available(); // what the read made readable besides, taken without waiting
            }
            lastFilled = n == length;
            return n;
        } catch (java.net.SocketTimeoutException quiet) {
            waitedInVain = true;
            return -1;
        }
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        try {
            out.write(buffer, offset, length);
        } catch (SocketException e) {
            throw Transports.resetByPeer(e, !closing); // the TLS engine closes its socket on a reset itself
        }
    }

    @Override
    public void beforeClose(Runnable first) {
        if (socket instanceof HookedSocket hooked) { // an accepted socket; a client's has no slot to give back
            hooked.beforeClose(first);
        }
    }

    @Override
    public Transport startTls(TlsOptions tls, boolean clientMode, String peerHost, Clock clock) throws IOException {
        javax.net.ssl.SSLSocketFactory factory = tls.context().getSocketFactory();
        SSLSocket ssl = clientMode
                ? (SSLSocket) factory.createSocket(socket, peerHost, remote.getPort(), true)
                : (SSLSocket) factory.createSocket(socket, firstByte(), true);
        ssl.setUseClientMode(clientMode);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setProtocols(tls.protocols().toArray(String[]::new));
        if (clientMode && tls.verifyHostname()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!clientMode) {
            switch (tls.clientAuth()) {
                case NONE -> parameters.setNeedClientAuth(false);
                case REQUESTED -> parameters.setWantClientAuth(true);
                case REQUIRED -> parameters.setNeedClientAuth(true);
            }
        }
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        return new SocketNetwork.TlsTransport(ssl, socket, clock);
    }

    /**
     * A server's first byte of the handshake, read before the TLS engine takes the socket (which is given
     * it as consumed): a peer that closes or resets before it sent anything never began a handshake (a
     * balancer's health check, say), which is an {@link java.io.EOFException}, not a TLS failure.
     */
    private java.io.InputStream firstByte() throws IOException {
        int first;
        try {
            first = in.read();
        } catch (SocketException e) {
            if (socket.isClosed()) {
                throw e; // closed here: the handshake's deadline, or the server's close
            }
            java.io.EOFException none = new java.io.EOFException("the peer ended the connection before it began a TLS handshake");
            none.initCause(e);
            throw none;
        }
        if (first < 0) {
            throw new java.io.EOFException("the peer closed the connection before it began a TLS handshake");
        }
        return new java.io.ByteArrayInputStream(new byte[] {(byte) first});
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void shutdownInput() throws IOException {
        ending = true;
        if (reading) {
            shutUnderRead = true;
            shutSocketInput(); // wakes the waiting read; a reader between reads ends at its next read
        }
    }

    /** Shuts the socket's input down, which wakes a waiting read. */
    void shutSocketInput() throws IOException {
        socket.shutdownInput();
    }

    @Override
    public boolean endInput(Clock clock) throws IOException {
        ending = true;
        return reading;
    }

    @Override
    public boolean awaitRest() {
        restAsked = ending && !waitedInVain;
        return restAsked;
    }

    @Override
    public void configure(boolean tcpNoDelay, boolean keepAlive, KeepAlive tuning) throws IOException {
        socket.setTcpNoDelay(tcpNoDelay);
        socket.setKeepAlive(keepAlive);
        if (keepAlive) {
            tune(ExtendedSocketOptions.TCP_KEEPIDLE, (int) tuning.idle().toSeconds());
            tune(ExtendedSocketOptions.TCP_KEEPINTERVAL, (int) tuning.interval().toSeconds());
            tune(ExtendedSocketOptions.TCP_KEEPCOUNT, tuning.count());
        }
    }

    /** Sets one keep-alive setting, unless it is zero (the system's) or the platform lacks it. */
    private void tune(SocketOption<Integer> option, int value) throws IOException {
        if (value <= 0) {
            return;
        }
        if (!socket.supportedOptions().contains(option)) {
            LOG.debug("{} is not supported here; the system's value applies", option.name());
            return;
        }
        socket.setOption(option, Math.max(1, value));
    }

    /** The socket itself, for tests of its options. */
    Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        closing();
        socket.close();
    }

    /** This side begins to close the socket. */
    void closing() {
        closing = true;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }
}
