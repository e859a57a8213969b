package simplesockets.api;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A caught exception, recorded with what failed, which peer (if any) and when. Servers and clients
 * keep a bounded list of these ({@link TcpServer#exceptions()}); this is the one
 * shape every caught exception is recorded in.
 *
 * {@snippet :
 * for (Failure failure : server.drainExceptions()) {
 *     switch (failure) {
 *         case Failure.Accept a -> log("accept failed", a.cause());
 *         case Failure.Connect c -> log("could not reach " + c.target(), c.cause());
 *         case Failure.Io io -> log("I/O with " + io.address(), io.cause());
 *         case Failure.Protocol p -> log("bad frame or PROXY header from " + p.address(), p.cause());
 *         case Failure.Callback cb -> log(cb.callback().builderMethod() + " threw", cb.cause());
 *         case Failure.Tls tls -> log("TLS handshake with " + tls.address() + ": " + tls.problem(), tls.cause());
 *         case Failure.SlowConsumer s -> log(s.address() + " did not read what we sent", s.cause());
 *     }
 * }
 * }
 */
public sealed interface Failure {

    /**
     * The exception that was caught.
     *
     * @return the cause, never {@code null}
     */
    Throwable cause();

    /**
     * When it was caught.
     *
     * @return the instant, never {@code null}
     */
    Instant at();

    /**
     * The remote address the failure concerns, if it concerns one.
     *
     * @return the peer's address, or empty
     */
    default Optional<InetSocketAddress> peer() {
        return switch (this) {
            case Accept a -> Optional.empty();
            case Connect c -> Optional.of(c.target());
            case Io io -> Optional.of(io.address());
            case Protocol p -> Optional.of(p.address());
            case Callback cb -> Optional.of(cb.address());
            case Tls tls -> Optional.of(tls.address());
            case SlowConsumer slow -> Optional.of(slow.address());
        };
    }

    /** What went wrong in a TLS handshake. */
    enum TlsProblem {
        /** The peer does not speak TLS: a plaintext client to a TLS server, or a TLS client to a plaintext server. */
        NOT_TLS,
        /** The peer's certificate is not trusted (unknown issuer, self-signed, expired). */
        UNTRUSTED_CERTIFICATE,
        /** The server's certificate does not name the host the client connected to. */
        HOSTNAME_MISMATCH,
        /** The server requires a client certificate and the client sent none. */
        CLIENT_CERTIFICATE_MISSING,
        /**
         * The peer refused the handshake: with a TLS alert (it did not trust us, say), or by closing or
         * resetting the connection during it, which a peer that rejects a certificate may do before its
         * alert is read, and a server that is full or paused does at once. The cause tells which.
         */
        REJECTED_BY_PEER,
        /** The handshake took longer than {@link TlsOptions#handshakeTimeout()}. */
        HANDSHAKE_TIMEOUT,
        /** Anything else; the cause says what. */
        OTHER
    }

    /**
     * A TLS handshake failed. The connection is closed; on a server, no connect or disconnect callback
     * fires for it, and the other clients are served as before.
     *
     * @param address the peer
     * @param problem what went wrong
     * @param cause   the exception
     * @param at      when
     */
    record Tls(InetSocketAddress address, TlsProblem problem, Throwable cause, Instant at) implements Failure {
        /** Checks the components. */
        public Tls {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * Accepting a connection failed (too many open files, say). The server backs off and goes on.
     *
     * @param cause the exception
     * @param at    when
     */
    record Accept(Throwable cause, Instant at) implements Failure {
        /** Checks the components. */
        public Accept {
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A client could not connect.
     *
     * @param target the address it tried
     * @param cause  the exception
     * @param at     when
     */
    record Connect(InetSocketAddress target, Throwable cause, Instant at) implements Failure {
        /** Checks the components. */
        public Connect {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * Reading from or writing to a connection failed with something other than end of stream or a
     * reset, which are ordinary {@linkplain DisconnectReason disconnects}.
     *
     * @param address the peer
     * @param cause   the exception
     * @param at      when
     */
    record Io(InetSocketAddress address, Throwable cause, Instant at) implements Failure {
        /** Checks the components. */
        public Io {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A peer broke the framing, for example with a frame longer than the maximum, or, with the
     * {@link ProxyProtocol PROXY protocol} on, sent a missing, malformed or late header, or connected
     * from an address that is not a trusted proxy. The connection is closed. The exception's message
     * says what was wrong.
     *
     * @param address the peer (for a refused PROXY protocol header, the socket's real peer)
     * @param cause   the violation
     * @param at      when
     */
    record Protocol(InetSocketAddress address, java.net.ProtocolException cause, Instant at) implements Failure {
        /** Checks the components. */
        public Protocol {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A user callback or connection handler threw. The connection and the server go on (a handler
     * that throws ends only its own connection).
     *
     * @param callback which callback threw (a throwing {@code onFailure} is logged, never recorded: that
     *                 could loop)
     * @param address  the peer the callback was about: the connection's peer on a server, the server on a
     *                 client
     * @param cause    what it threw
     * @param at       when
     */
    record Callback(CallbackName callback, InetSocketAddress address, Throwable cause, Instant at) implements Failure {
        /** Checks the components. */
        public Callback {
            Objects.requireNonNull(callback, "callback");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A peer did not read what was sent to it, so the sends waiting for it passed
     * {@code maxPendingSendBytes}, and the connection was closed with
     * {@link DisconnectReason.SlowConsumer} (see {@link SendOverflow#DISCONNECT}).
     *
     * @param address the peer's address
     * @param limit   the bound that was passed, in bytes
     * @param cause   the exception the overflowing send threw
     * @param at      when it happened
     */
    record SlowConsumer(InetSocketAddress address, int limit, java.net.SocketException cause, Instant at)
            implements Failure {
        /** Checks the fields. */
        public SlowConsumer {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(at, "at");
        }
    }
}
