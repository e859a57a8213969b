package simplesockets.impl;

import java.time.Instant;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.OnFailure;

/** The client's callbacks and events, for {@link Delivery}. */
record ClientSide(ClientOptions options) implements Delivery.Side<ClientEvent> {

    @Override
    public boolean pollsForData() {
        return options.onReceive() == null;
    }

    @Override
    public boolean hasOnConnect() {
        return options.onConnect() != null;
    }

    @Override
    public void onConnect(Connection link) throws Exception {
        options.onConnect().connected();
    }

    @Override
    public ClientEvent connected(Connection link, Instant at) {
        return new ClientEvent.Connected(link.remoteAddress(), at);
    }

    @Override
    public boolean hasOnReceive() {
        return options.onReceive() != null;
    }

    @Override
    public void onReceive(Connection link, byte[] data) throws Exception {
        options.onReceive().received(data);
    }

    @Override
    public ClientEvent received(Connection link, byte[] data, Instant at) {
        return new ClientEvent.Received(data, at);
    }

    @Override
    public boolean hasOnDisconnect() {
        return options.onDisconnect() != null;
    }

    @Override
    public void onDisconnect(Connection link, DisconnectReason reason) throws Exception {
        options.onDisconnect().disconnected(reason);
    }

    @Override
    public ClientEvent disconnected(Connection link, DisconnectReason reason, Instant at) {
        return new ClientEvent.Disconnected(reason, at);
    }

    @Override
    public OnFailure onFailure() {
        return options.onFailure();
    }

    @Override
    public ClientEvent failed(Failure failure) {
        return new ClientEvent.Failed(failure);
    }
}
