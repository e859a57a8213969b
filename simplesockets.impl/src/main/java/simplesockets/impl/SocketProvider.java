package simplesockets.impl;

import simplesockets.api.ClientOptions;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.api.spi.SocketsProvider;

/** The provider of real TCP sockets, named {@value #NAME}. Registered with {@link java.util.ServiceLoader}. */
public final class SocketProvider implements SocketsProvider {

    /** This provider's name. */
    public static final String NAME = "socket";

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public SocketProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TcpServer newServer(ServerOptions options) {
        return new ServerEngine(SocketNetwork.INSTANCE, options, null);
    }

    @Override
    public TcpClient newClient(ClientOptions options) {
        return new ClientEngine(SocketNetwork.INSTANCE, options, null);
    }
}
