package simplesockets.api;

import java.time.Duration;
import java.util.Objects;

/** Range and conflict checks shared by the options. */
final class Checks {

    private Checks() {
    }

    static void port(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535: " + port);
        }
    }

    static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1: " + value);
        }
    }

    static void notNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }

    static void notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }

    static void keepAlive(boolean on, KeepAlive tuning) {
        if (!on && !tuning.equals(KeepAlive.SYSTEM)) {
            throw new IllegalArgumentException("keep-alive probes are tuned (" + tuning + ") but keepAlive is off:"
                    + " turn it on with keepAlive(true), or leave the tuning out");
        }
    }

    static void unixSocket(java.nio.file.Path unixSocket, TlsOptions tls, boolean keepAlive) {
        if (unixSocket == null) {
            return;
        }
        if (tls != null) {
            throw new IllegalArgumentException("TLS over a Unix domain socket is not supported (the JDK's TLS needs a"
                    + " TCP socket); the socket file's permissions guard who may connect: leave tls out, or use TCP");
        }
        if (keepAlive) {
            throw new IllegalArgumentException("keep-alive is a TCP option and does not apply to a Unix domain socket:"
                    + " leave it off, or use TCP");
        }
    }
}
