package simplesockets.impl;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a Unix domain socket's file: a stale one (a socket that nobody listens on, left by a
 * server that died) is removed before binding; anything else in the way is refused; permissions are
 * set after binding; the file is removed when the listener closes.
 */
final class UnixSocketFile {

    private static final Logger LOG = LoggerFactory.getLogger(UnixSocketFile.class);
    /** The file type bits of {@code st_mode}, and the socket type. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFile() {
    }

    /** How a Unix peer is shown where an address is expected: the socket file's path, unresolved, port 0. */
    static InetSocketAddress shown(Path path) {
        return InetSocketAddress.createUnresolved(path.toString(), 0);
    }

    /**
     * Makes way for binding {@code path}: nothing there is fine; a socket file that nobody listens on is
     * removed. Connects to the file without blocking to find out: refused means stale; accepted, or a
     * listener whose backlog is full (one that hangs), means a server is there. Call it outside any lock.
     *
     * @throws BindException if a server listens there, or the path is not a socket file
     */
    static void prepare(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new BindException(path + " exists and is not a socket file; it is left alone (remove it or"
                    + " choose another path)");
        }
        String there;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false); // a listener that does not accept keeps a blocking connect for good
            probe.connect(UnixDomainSocketAddress.of(path));
            there = "a server already listens on " + path;
        } catch (java.net.ConnectException refused) {
            LOG.info("Removing the stale socket file {}: nobody listens on it", path);
            Files.deleteIfExists(path);
            return;
        } catch (IOException busy) { // its backlog is full, or the file may not be connected to: left alone
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return; // removed meanwhile (a server that closed): the way is clear
            }
            there = "a server listens on " + path + " but does not take connections (" + busy.getMessage()
                    + "); the file is left alone";
        }
        throw new BindException(there);
    }

    /** Sets the socket file's permissions, if asked: who may connect. */
    static void permit(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (permissions != null) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    /** Removes the socket file of a closed listener; a file already gone is fine. */
    static void remove(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        } catch (IOException e) {
            LOG.warn("Could not remove the socket file {}", path, e);
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .isOther(); // not a file, a directory or a link: a socket, a FIFO or a device
        }
    }
}
