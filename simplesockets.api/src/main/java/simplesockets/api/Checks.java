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

    /** The longest duration the options take: what fits in nanoseconds, about 292 years. */
    static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    /** Not negative, and counted in nanoseconds, as every timer counts (so at most {@link #LONGEST}). */
    static void notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        if (value.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException(name + " must be at most about 292 years (" + LONGEST + "), what fits in"
                    + " nanoseconds: " + value + (name.endsWith("Delay") ? "" : "; zero switches a timeout off"));
        }
    }

    /** A keep-alive time: zero (the system's), or whole seconds from 1 to 32767, as the socket option takes them. */
    static void keepAliveSeconds(String name, Duration value) {
        notNegative(name, value);
        if (!value.isZero() && (value.toNanosPart() != 0 || value.getSeconds() < 1 || value.getSeconds() > 32_767)) {
            throw new IllegalArgumentException(name + " must be zero (the system's) or whole seconds from 1 to 32767,"
                    + " as TCP takes it: " + value);
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
