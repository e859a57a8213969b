/**
 * The transport seam under the engine: {@link simplesockets.impl.transport.Network},
 * {@link simplesockets.impl.transport.Acceptor} and {@link simplesockets.impl.transport.Transport},
 * and {@link simplesockets.impl.transport.Engines}, which runs the engine over any of them.
 * Exported to {@code simplesockets.testkit} only.
 */
package simplesockets.impl.transport;
