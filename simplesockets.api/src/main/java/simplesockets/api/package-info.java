/**
 * The simplesockets API: {@link simplesockets.api.TcpServer}, {@link simplesockets.api.TcpClient},
 * their options, and the sealed event, failure and framing types.
 *
 * <p>Implementations come from a {@link simplesockets.api.spi.SocketsProvider} found through
 * {@link java.util.ServiceLoader}: real sockets by default, the testkit's in-memory network only when
 * asked for.
 *
 * <h2>The rules every public type follows</h2>
 *
 * <p>One spelling for each idea, so that a reviewer can check each type against this list.
 * <ol>
 *   <li><b>Absence is {@link java.util.Optional}.</b> No method returns {@code null}. A value that
 *       may be missing comes as an {@code Optional}: the server's address before it is bound, the
 *       client's while it is not connected, an option that is not set ({@code tls()},
 *       {@code reconnect()}, each callback), an event when none waits. Builders take {@code null} for
 *       "not set".</li>
 *   <li><b>Off is zero.</b> A limit or timeout that can be switched off is a plain {@code int} or
 *       {@link java.time.Duration}, and {@code 0} or {@link java.time.Duration#ZERO} switches it off
 *       ({@link simplesockets.api.ServerOptions#UNLIMITED} connections, an {@code idleTimeout} of
 *       zero). There is no other spelling of "no limit".</li>
 *   <li><b>Addresses are {@link java.net.InetSocketAddress}</b>, with the port: a connection's
 *       {@code remoteAddress()} and {@code localAddress()}, a failure's peer, a server's bound
 *       address. Over a Unix domain socket, whose peers have no address of their own, each of them is
 *       the socket file's path as an unresolved address with port 0 ({@code getHostString()} gives
 *       the path); tell such peers apart by {@link simplesockets.api.Connection#id()}.</li>
 *   <li><b>Errors.</b>
 *     <ul>
 *       <li>A call that goes to the network, and can fail for reasons outside the program, throws
 *           {@link java.io.IOException} or a subclass: {@code start()} and {@code restart()} (bind),
 *           {@code connect()} and {@code reconnect()}, {@code send(...)}, {@code Connection.read()}.
 *           The failure is also recorded, as a {@link simplesockets.api.Failure}, so that
 *           {@code onFailure} and {@code exceptions()} see every failure whoever caused it.</li>
 *       <li>A call the object's state does not allow throws {@link java.lang.IllegalStateException},
 *           whose message names the call, what it needs, and the state now. State queries
 *           ({@code state()}, {@code isConnected()}, ...) tell the truth at once.</li>
 *       <li>A bad argument throws {@link java.lang.NullPointerException} or
 *           {@link java.lang.IllegalArgumentException} at once. Options are checked as a whole by
 *           {@code build()}: a value out of range, or two settings that contradict each other, is
 *           refused there with a message, never at {@code start()}.</li>
 *       <li>What nobody called for (a peer's reset, a callback that threw, a failed accept) is never
 *           thrown: it is recorded as a {@code Failure} and given to {@code onFailure}.</li>
 *       <li>Queries and {@code close()} never throw.</li>
 *     </ul></li>
 *   <li><b>Blocking</b> is in the name or in the documentation. Methods named {@code await...} and
 *       {@code receive} wait at most their timeout, never spin, and throw
 *       {@link java.lang.InterruptedException}; {@code connect()} waits at most the connect timeout
 *       (with the TLS handshake's, and the close timeout more for each of a reconnect loop it takes
 *       over and a connection before it still reporting its end),
 *       {@code close()} and {@code exitAccept()} at most the close timeout (plus the grace
 *       {@code close} is given; a client's {@code close()} twice that when it first waits for an
 *       {@code onConnect} still running), {@code start()} and {@code restart()} while they bind. {@code has...}, {@code is...}, {@code poll...} and
 *       {@code drain...} never wait, and neither do the other queries ({@code state()},
 *       {@code clients()}, {@code options()}, ...), {@code stop()}, or the server's and a
 *       connection's {@code disconnect(...)}. The client's {@code disconnect()} waits for the
 *       connection to close (see {@link simplesockets.api.TcpClient#disconnect()}). How {@code send}
 *       blocks is told by {@link simplesockets.api.Connection#send(byte[])}; {@code broadcast(...)}
 *       sends to each connection in the same way.</li>
 *   <li><b>Threads.</b> Every method of {@code TcpServer}, {@code TcpClient}, {@code Connection} and
 *       {@link simplesockets.api.Attributes} is thread-safe. Callbacks run on the connection's own
 *       virtual thread, one at a time per connection, in order; the client's {@code onConnect} is the
 *       exception, and runs on the thread that called {@code connect()} or {@code reconnect()}, or on
 *       the thread of the client's own reconnect loop, and {@code onFailure} runs on the thread that
 *       caught the failure (a server's accept failures get a virtual thread of their own: see
 *       {@link simplesockets.api.OnFailure}). A callback that throws an exception (or an
 *       {@link AssertionError}) is recorded as a {@link simplesockets.api.Failure.Callback}, and its
 *       connection goes on; one that throws another {@link Error} ends its connection, reported as a
 *       disconnect with {@link simplesockets.api.DisconnectReason.Failed} (a client's reconnect policy then
 *       reconnects, as after any lost connection; a user's own {@code connect()} throws it). From
 *       {@code onDisconnect}, whose end is reported already, such an error is only logged. Option builders are
 *       not thread-safe; the options they build are immutable.</li>
 *   <li><b>Names.</b> {@code is...} and {@code has...} ask; {@code await...} waits; {@code poll...}
 *       takes one thing if there is one; {@code drain...} takes everything. The seed's names are kept
 *       where the seed had them, and the README maps the rest.</li>
 *   <li><b>Growth.</b> Options are final classes made only by their builders ({@code builder()},
 *       {@code toBuilder()}, or a small factory such as
 *       {@link simplesockets.api.ReconnectPolicy#exponential}), so a new option never breaks a
 *       caller. Events, failures and framings are sealed interfaces of records, made for
 *       {@code switch}.</li>
 * </ol>
 */
package simplesockets.api;
