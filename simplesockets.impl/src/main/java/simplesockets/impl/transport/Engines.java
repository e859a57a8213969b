package simplesockets.impl.transport;

import simplesockets.api.ClientOptions;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.impl.ClientEngine;
import simplesockets.impl.ServerEngine;

/**
 * Runs the one engine over any {@link Network}: the real sockets use it, and the testkit plugs its
 * in-memory network in here, so its fakes are the real thing.
 */
public final class Engines {

    private Engines() {
    }

    /**
     * A server over a network.
     *
     * @param network where to bind
     * @param options the settings
     * @return a server in state CREATED
     */
    public static TcpServer server(Network network, ServerOptions options) {
        return new ServerEngine(network, options);
    }

    /**
     * A client over a network.
     *
     * @param network where to connect
     * @param options the settings
     * @return a client in state CREATED
     */
    public static TcpClient client(Network network, ClientOptions options) {
        return new ClientEngine(network, options);
    }
}
