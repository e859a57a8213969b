package simplesockets.impl;

import java.time.Instant;
import simplesockets.api.Connection;
import simplesockets.api.ConnectionHandler;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.OnFailure;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;

/** The server's callbacks and events, for {@link Delivery}. */
final class ServerSide implements Delivery.Side<ServerEvent> {

    private final ServerOptions.OnConnect onConnect;
    private final ServerOptions.OnReceive onReceive;
    private final ServerOptions.OnDisconnect onDisconnect;
    private final OnFailure onFailure;
    private final ConnectionHandler handler;

    ServerSide(ServerOptions options) {
        this.onConnect = options.onConnect().orElse(null);
        this.onReceive = options.onReceive().orElse(null);
        this.onDisconnect = options.onDisconnect().orElse(null);
        this.onFailure = options.onFailure().orElse(null);
        this.handler = options.handler().orElse(null);
    }

    @Override
    public boolean pollsForData() {
        return onReceive == null && handler == null;
    }

    @Override
    public boolean hasOnConnect() {
        return onConnect != null;
    }

    @Override
    public void onConnect(Connection link) throws Exception {
        onConnect.connected(link);
    }

    @Override
    public ServerEvent connected(Connection link, Instant at) {
        return new ServerEvent.Connected(link, at);
    }

    @Override
    public boolean hasOnReceive() {
        return onReceive != null;
    }

    @Override
    public void onReceive(Connection link, byte[] data) throws Exception {
        onReceive.received(link, data);
    }

    @Override
    public ServerEvent received(Connection link, byte[] data, Instant at) {
        return new ServerEvent.Received(link, data, at);
    }

    @Override
    public boolean hasOnDisconnect() {
        return onDisconnect != null;
    }

    @Override
    public void onDisconnect(Connection link, DisconnectReason reason) throws Exception {
        onDisconnect.disconnected(link, reason);
    }

    @Override
    public ServerEvent disconnected(Connection link, DisconnectReason reason, Instant at) {
        return new ServerEvent.Disconnected(link, reason, at);
    }

    @Override
    public OnFailure onFailure() {
        return onFailure;
    }

    @Override
    public ServerEvent failed(Failure failure) {
        return new ServerEvent.Failed(failure);
    }

    @Override
    public Connection endedBy(ServerEvent event) {
        return event instanceof ServerEvent.Disconnected gone ? gone.connection() : null;
    }
}
