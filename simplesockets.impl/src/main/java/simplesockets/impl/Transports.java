package simplesockets.impl;

import java.io.Closeable;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closing what may already be closed, where a failure to close changes nothing. */
final class Transports {

    private static final Logger LOG = LoggerFactory.getLogger(Transports.class);

    private Transports() {
    }

    static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.debug("Closing {} failed", closeable, e);
        }
    }
}
