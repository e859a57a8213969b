package simplesockets.impl;

import java.time.Instant;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.OnFailure;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;

/** The server's callbacks and events, for {@link Delivery}. */
record ServerSide(ServerOptions options) implements Delivery.Side<ServerEvent> {

    @Override
    public boolean pollsForData() {
        return options.onReceive() == null && options.handler() == null;
    }

    @Override
    public boolean hasOnConnect() {
        return options.onConnect() != null;
    }

    @Override
    public void onConnect(Connection link) throws Exception {
        options.onConnect().connected(link);
    }

    @Override
    public ServerEvent connected(Connection link, Instant at) {
        return new ServerEvent.Connected(link, at);
    }

    @Override
    public boolean hasOnReceive() {
        return options.onReceive() != null;
    }

    @Override
    public void onReceive(Connection link, byte[] data) throws Exception {
        options.onReceive().received(link, data);
    }

    @Override
    public ServerEvent received(Connection link, byte[] data, Instant at) {
        return new ServerEvent.Received(link, data, at);
    }

    @Override
    public boolean hasOnDisconnect() {
        return options.onDisconnect() != null;
    }

    @Override
    public void onDisconnect(Connection link, DisconnectReason reason) throws Exception {
        options.onDisconnect().disconnected(link, reason);
    }

    @Override
    public ServerEvent disconnected(Connection link, DisconnectReason reason, Instant at) {
        return new ServerEvent.Disconnected(link, reason, at);
    }

    @Override
    public OnFailure onFailure() {
        return options.onFailure();
    }

    @Override
    public ServerEvent failed(Failure failure) {
        return new ServerEvent.Failed(failure);
    }
}
