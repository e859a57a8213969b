package simplesockets.impl;

import java.net.SocketTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import simplesockets.api.Failure;

/**
 * Sorts a failed TLS handshake into a {@link Failure.TlsProblem}. The JDK reports most of these
 * as {@link SSLException}s that differ only in their cause chain and message, so this looks at both.
 */
final class TlsProblems {

    private TlsProblems() {
    }

    static Failure.TlsProblem classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return Failure.TlsProblem.HANDSHAKE_TIMEOUT;
            }
            if (t instanceof CertPathBuilderException) {
                return Failure.TlsProblem.UNTRUSTED_CERTIFICATE;
            }
        }
        String text = messages(failure);
        if (text.contains("unsupported or unrecognized ssl message") || text.contains("plaintext")
                || text.contains("unexpected handshake message: client_hello")) {
            return Failure.TlsProblem.NOT_TLS;
        }
        if (text.contains("no subject alternative") || text.contains("no name matching")) {
            return Failure.TlsProblem.HOSTNAME_MISMATCH;
        }
        if (text.contains("empty client certificate chain") || text.contains("certificate_required")) {
            return Failure.TlsProblem.CLIENT_CERTIFICATE_MISSING;
        }
        if (text.contains("pkix path") || text.contains("unable to find valid certification path")
                || hasCause(failure, CertificateException.class)) {
            return Failure.TlsProblem.UNTRUSTED_CERTIFICATE;
        }
        if (text.contains("received fatal alert")) {
            return Failure.TlsProblem.REJECTED_BY_PEER;
        }
        if (text.contains("remote host terminated the handshake") || text.contains("connection reset")
                || text.contains("broken pipe")) {
            return Failure.TlsProblem.REJECTED_BY_PEER;
        }
        return Failure.TlsProblem.OTHER;
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
        }
        return all.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
