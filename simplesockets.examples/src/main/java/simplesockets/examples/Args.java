package simplesockets.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import simplesockets.api.ProxyProtocol;

/**
 * The examples' command line: {@code --host HOST}, {@code --port PORT}, {@code --unix PATH},
 * {@code --proxy-protocol}, {@code --trusted-proxy ADDRESS-OR-CIDR} (repeatable), and the remaining words,
 * among them {@code --framing raw|length|lines} and {@code --stats SECONDS} with their values. Any other
 * word beginning with {@code --} is refused, so that a mistyped option is not taken for a message or
 * ignored; after a lone {@code --}, every word is a word.
 *
 * @param host           the host, default {@code 127.0.0.1}
 * @param port           the port, default 25567 (the seed's)
 * @param proxyProtocol  whether the server reads a PROXY protocol header (v1 or v2) first on each connection
 * @param trustedProxies whom the server takes such headers from; empty means this machine's loopback
 *                       addresses ({@code 127.0.0.0/8} and {@code ::1})
 * @param unix           a Unix domain socket file to use instead of the host and port, or empty
 * @param words          everything that is not an option
 */
public record Args(String host, int port, boolean proxyProtocol, List<String> trustedProxies,
        Optional<Path> unix, List<String> words) {

    /** Whom the examples trust with {@code --proxy-protocol} and no {@code --trusted-proxy}: a balancer on this machine. */
    public static final List<String> LOOPBACK = List.of("127.0.0.0/8", "::1");

    /**
     * Parses a command line.
     *
     * @param args the arguments
     * @return the parsed arguments
     * @throws IllegalArgumentException if an option is unknown or lacks its value, a port is not a number,
     *                                  or a trusted proxy is not an IP address or CIDR block
     */
    public static Args parse(String... args) {
        String host = "127.0.0.1";
        int port = 25567;
        boolean proxyProtocol = false;
        List<String> trusted = new ArrayList<>();
        Path unix = null;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i);
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                case "--unix" -> unix = Path.of(value(args, ++i));
                case "--proxy-protocol" -> proxyProtocol = true;
                case "--trusted-proxy" -> {
                    proxyProtocol = true;
                    trusted.add(value(args, ++i));
                }
                case "--framing", "--stats" -> {
                    words.add(args[i]);
                    words.add(value(args, ++i));
                }
                case "--" -> {
                    words.addAll(List.of(args).subList(i + 1, args.length));
                    i = args.length;
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i] + "; the options are --host, --port,"
                                + " --unix, --proxy-protocol, --trusted-proxy, --framing and --stats (-- ends them)");
                    }
                    words.add(args[i]);
                }
            }
        }
        Args parsed = new Args(host, port, proxyProtocol, List.copyOf(trusted), Optional.ofNullable(unix),
                List.copyOf(words));
        parsed.proxy(); // refuses a bad trusted proxy now, with its message
        return parsed;
    }

    /**
     * The PROXY protocol setting these arguments ask for.
     *
     * @return the setting, or empty without {@code --proxy-protocol}
     * @throws IllegalArgumentException if a trusted proxy is not an IP address or CIDR block
     */
    public Optional<ProxyProtocol> proxy() {
        if (!proxyProtocol) {
            return Optional.empty();
        }
        List<String> whom = trustedProxies.isEmpty() ? LOOPBACK : trustedProxies;
        return Optional.of(ProxyProtocol.trusting(whom.toArray(String[]::new)));
    }

    /**
     * Where a server is, for its first line: {@code HOST:PORT}, or {@code unix:PATH}.
     *
     * @param server a started server
     * @return the printable address
     */
    public static String where(simplesockets.api.TcpServer server) {
        java.net.InetSocketAddress bound = server.localAddress().orElseThrow(); // bound by start()
        return server.options().unixSocket().isPresent() ? "unix:" + bound.getHostString()
                : bound.getHostString() + ":" + bound.getPort();
    }

    /**
     * The words that are not options: a client's messages.
     *
     * @return the words without {@code --framing} and {@code --stats} and their values
     */
    public List<String> messages() {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).equals("--framing") || words.get(i).equals("--stats")) {
                i++; // and its value
            } else {
                messages.add(words.get(i));
            }
        }
        return messages;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
