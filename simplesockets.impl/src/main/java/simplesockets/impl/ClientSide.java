package simplesockets.impl;

import java.time.Instant;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.OnFailure;

/** The client's callbacks and events, for {@link Delivery}. */
final class ClientSide implements Delivery.Side<ClientEvent> {

    private final ClientOptions.OnConnect onConnect;
    private final ClientOptions.OnReceive onReceive;
    private final ClientOptions.OnDisconnect onDisconnect;
    private final OnFailure onFailure;

    ClientSide(ClientOptions options) {
        this.onConnect = options.onConnect().orElse(null);
        this.onReceive = options.onReceive().orElse(null);
        this.onDisconnect = options.onDisconnect().orElse(null);
        this.onFailure = options.onFailure().orElse(null);
    }

    @Override
    public boolean pollsForData() {
        return onReceive == null;
    }

    @Override
    public boolean hasOnConnect() {
        return onConnect != null;
    }

    @Override
    public void onConnect(Connection link) throws Exception {
        onConnect.connected();
    }

    @Override
    public ClientEvent connected(Connection link, Instant at) {
        return new ClientEvent.Connected(link.remoteAddress(), at);
    }

    @Override
    public boolean hasOnReceive() {
        return onReceive != null;
    }

    @Override
    public void onReceive(Connection link, byte[] data) throws Exception {
        onReceive.received(data);
    }

    @Override
    public ClientEvent received(Connection link, byte[] data, Instant at) {
        return new ClientEvent.Received(data, at);
    }

    @Override
    public boolean hasOnDisconnect() {
        return onDisconnect != null;
    }

    @Override
    public void onDisconnect(Connection link, DisconnectReason reason) throws Exception {
        onDisconnect.disconnected(reason);
    }

    @Override
    public ClientEvent disconnected(Connection link, DisconnectReason reason, Instant at) {
        return new ClientEvent.Disconnected(reason, at);
    }

    @Override
    public OnFailure onFailure() {
        return onFailure;
    }

    @Override
    public ClientEvent failed(Failure failure) {
        return new ClientEvent.Failed(failure);
    }
}
