package simplesockets.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for a server or a client, through the JDK's {@code javax.net.ssl}. Set it with
 * {@code ServerOptions.builder().tls(...)} or {@code ClientOptions.builder().tls(...)}; everything else
 * (callbacks, polling, framing, timeouts, close, backpressure) works as over plain TCP.
 *
 * {@snippet :
 * TlsOptions serverTls = TlsOptions.builder()
 *         .keyStore(Path.of("server.p12"), password)   // the server's key and certificate
 *         .build();
 * TlsOptions clientTls = TlsOptions.builder()
 *         .trustStore(Path.of("trust.p12"), password)  // whom the client trusts
 *         .build();                                    // host-name verification is on
 * }
 *
 * <p>The handshake runs on the connection's own virtual thread, never on the accept loop, and fails
 * after {@link #handshakeTimeout()}. A failed handshake is recorded as a {@link Failure.Tls} on the side
 * that detects it, with a {@link Failure.TlsProblem} saying what went wrong; the server goes on serving
 * the others.
 *
 * <p>TLS 1.2 closes both ways at once: the JDK answers a peer's close with its own and closes the
 * output. So replies to a TLS 1.2 peer that closed its side first, and replies still being written when
 * a graceful close wakes the reader, can be cut off; a {@code disconnect()} after replies writes them
 * first. TLS 1.3 keeps the output open.
 */
public final class TlsOptions {

    /** Whether a server asks for, or demands, a client certificate (mutual TLS). */
    public enum ClientAuth {
        /** No client certificate is asked for. The default. */
        NONE,
        /** A client certificate is asked for; a client without one is still served. */
        REQUESTED,
        /** A client certificate is required; a client without a trusted one fails the handshake. */
        REQUIRED
    }

    private final SSLContext context;
    private final ClientAuth clientAuth;
    private final boolean verifyHostname;
    private final Duration handshakeTimeout;
    private final List<String> protocols;
    /** Made by the builder without a key store: fit for a client, never for a server. */
    private final boolean keyless;

    private TlsOptions(SSLContext context, ClientAuth clientAuth, boolean verifyHostname,
            Duration handshakeTimeout, List<String> protocols, boolean keyless) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(clientAuth, "clientAuth");
        Checks.notNegative("handshakeTimeout", handshakeTimeout);
        if (handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive");
        }
        protocols = List.copyOf(protocols);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one protocol is needed");
        }
        this.context = context;
        this.clientAuth = clientAuth;
        this.verifyHostname = verifyHostname;
        this.handshakeTimeout = handshakeTimeout;
        this.protocols = protocols;
        this.keyless = keyless;
    }

    /**
     * TLS with an SSL context and the defaults.
     *
     * @param context the SSL context, initialized
     * @return the options
     * @throws IllegalArgumentException if the context is not initialized, or makes no TLS sockets (every
     *                                  handshake would fail)
     */
    public static TlsOptions of(SSLContext context) {
        try {
            Objects.requireNonNull(context, "context").getSocketFactory();
        } catch (IllegalStateException notInitialized) {
            throw new IllegalArgumentException("the SSL context is not initialized: call its init(...) first",
                    notInitialized);
        } catch (RuntimeException unusable) { // a DTLS context, say: the engine makes TLS sockets from it
            throw new IllegalArgumentException("the SSL context cannot make TLS sockets: " + unusable, unusable);
        }
        return new TlsOptions(context, ClientAuth.NONE, true, Duration.ofSeconds(10), List.of("TLSv1.3", "TLSv1.2"),
                false);
    }

    /** Whether these options were built without a key store, so no server can use them. */
    boolean keyless() {
        return keyless;
    }

    /**
     * A builder that makes the SSL context from PKCS#12 files.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The same options with another client-certificate mode.
     *
     * @param mode the mode
     * @return new options
     */
    public TlsOptions withClientAuth(ClientAuth mode) {
        return new TlsOptions(context, mode, verifyHostname, handshakeTimeout, protocols, keyless);
    }

    /**
     * The same options with host-name verification on or off.
     *
     * @param verify whether to verify
     * @return new options
     */
    public TlsOptions withVerifyHostname(boolean verify) {
        return new TlsOptions(context, clientAuth, verify, handshakeTimeout, protocols, keyless);
    }

    /**
     * The same options with another handshake timeout.
     *
     * @param timeout the timeout
     * @return new options
     */
    public TlsOptions withHandshakeTimeout(Duration timeout) {
        return new TlsOptions(context, clientAuth, verifyHostname, timeout, protocols, keyless);
    }

    /**
     * Builds {@link TlsOptions} from PKCS#12 key and trust stores. Not thread-safe.
     */
    public static final class Builder {
        private Path keyStore;
        private char[] keyStorePassword;
        private Path trustStore;
        private char[] trustStorePassword;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private boolean verifyHostname = true;
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * The PKCS#12 file with this side's private key and certificate chain (a server needs one; a
         * client needs one for mutual TLS).
         *
         * @param path     the file
         * @param password its password
         * @return this builder
         */
        public Builder keyStore(Path path, char[] password) {
            this.keyStore = Objects.requireNonNull(path, "path");
            this.keyStorePassword = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * The PKCS#12 file with the certificates this side trusts. Without it, the JDK's default trust
         * (its {@code cacerts}) applies.
         *
         * @param path     the file
         * @param password its password
         * @return this builder
         */
        public Builder trustStore(Path path, char[] password) {
            this.trustStore = Objects.requireNonNull(path, "path");
            this.trustStorePassword = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * Sets {@code mode}: the client-certificate mode of a server.
         *
         * @param mode the client-certificate mode of a server
         * @return this builder
         */
        public Builder clientAuth(ClientAuth mode) {
            this.clientAuth = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets {@code verify}: whether a client verifies the server's host name.
         *
         * @param verify whether a client verifies the server's host name
         * @return this builder
         */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /**
         * Sets {@code timeout}: the longest a handshake may take.
         *
         * @param timeout the longest a handshake may take; positive ({@link #build()} checks)
         * @return this builder
         * @throws NullPointerException if {@code timeout} is {@code null}
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * Loads the stores and makes the SSL context.
         *
         * @return the options
         * @throws IOException              if a store cannot be read, or its password is wrong (as
         *                                  {@link java.security.KeyStore#load} reports it)
         * @throws GeneralSecurityException if a store is not a PKCS#12 store the JDK can use
         * @throws IllegalArgumentException if the handshake timeout is not positive; checked before the
         *                                  stores are read
         */
        public TlsOptions build() throws IOException, GeneralSecurityException {
            if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, not " + handshakeTimeout);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            KeyManagerFactory keys = null;
            if (keyStore != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keyStore, keyStorePassword), keyStorePassword);
            }
            TrustManagerFactory trust = null;
            if (trustStore != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(trustStore, trustStorePassword));
            }
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return new TlsOptions(context, clientAuth, verifyHostname, handshakeTimeout, List.of("TLSv1.3", "TLSv1.2"),
                    keyStore == null);
        }

        private static KeyStore load(Path path, char[] password) throws IOException, GeneralSecurityException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(path)) {
                store.load(in, password);
            }
            return store;
        }
    }

    /**
     * The SSL context: keys, trust, and the provider.
     *
     * @return the setting
     */
    public SSLContext context() {
        return context;
    }

    /**
     * Whether a server asks clients for a certificate (ignored by clients).
     *
     * @return the setting
     */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /**
     * Whether a client checks that the server's certificate names the host it connected to (ignored by
     * servers); default {@code true}.
     *
     * @return the setting
     */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /**
     * The longest a handshake may take; default 10 s.
     *
     * @return the setting
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * The protocol versions allowed; default TLSv1.3 and TLSv1.2.
     *
     * @return the setting
     */
    public List<String> protocols() {
        return protocols;
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
        return other instanceof TlsOptions o
                && java.util.Objects.equals(context, o.context)
                && java.util.Objects.equals(clientAuth, o.clientAuth)
                && verifyHostname == o.verifyHostname
                && java.util.Objects.equals(handshakeTimeout, o.handshakeTimeout)
                && java.util.Objects.equals(protocols, o.protocols)
                && keyless == o.keyless;
    }

    /**
     * A hash of the settings.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return java.util.Objects.hash(context, clientAuth, verifyHostname, handshakeTimeout, protocols, keyless);
    }

    /**
     * The settings, for logs.
     *
     * @return a readable form
     */
    @Override
    public String toString() {
        return "TlsOptions[context=" + context + ", clientAuth=" + clientAuth + ", verifyHostname=" + verifyHostname + ", handshakeTimeout=" + handshakeTimeout + ", protocols=" + protocols + "]";
    }
}
