/**
 * The transport seam under the engine: {@link simplesockets.impl.transport.Network},
 * {@link simplesockets.impl.transport.Acceptor} and {@link simplesockets.impl.transport.Transport}.
 * The engines in {@code simplesockets.impl} run over any of them. Exported to
 * {@code simplesockets.testkit} only.
 */
package simplesockets.impl.transport;
