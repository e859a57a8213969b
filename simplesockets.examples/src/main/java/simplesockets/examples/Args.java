package simplesockets.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import simplesockets.api.ProxyProtocol;

/**
 * The examples' command line: {@code --host HOST}, {@code --port PORT}, {@code --unix PATH},
 * {@code --proxy-protocol}, {@code --trusted-proxy ADDRESS-OR-CIDR} (repeatable),
 * {@code --framing raw|length|lines}, {@code --stats SECONDS}, and the remaining words (a client's
 * messages). Any other word beginning with {@code --} is refused, so that a mistyped option is not taken
 * for a message or ignored, and so is an option's value that is missing or is itself an option; after a
 * lone {@code --}, every word is a word, whatever it begins with.
 *
 * @param host           the host, default {@code 127.0.0.1}
 * @param port           the port, default 25567 (the seed's)
 * @param proxyProtocol  whether the server reads a PROXY protocol header (v1 or v2) first on each connection
 * @param trustedProxies whom the server takes such headers from; empty means this machine's loopback
 *                       addresses ({@code 127.0.0.0/8} and {@code ::1})
 * @param unix           a Unix domain socket file to use instead of the host and port, or empty
 * @param framing        the {@code --framing} value, or empty for raw
 * @param stats          the {@code --stats} value, or empty for none
 * @param words          everything that is not an option or an option's value
 */
public record Args(String host, int port, boolean proxyProtocol, List<String> trustedProxies,
        Optional<Path> unix, Optional<String> framing, Optional<String> stats, List<String> words) {

    /** Whom the examples trust with {@code --proxy-protocol} and no {@code --trusted-proxy}: a balancer on this machine. */
    public static final List<String> LOOPBACK = List.of("127.0.0.0/8", "::1");

    /**
     * Parses a command line.
     *
     * @param args the arguments
     * @return the parsed arguments
     * @throws IllegalArgumentException if an option is unknown or lacks its value, a port is not a number
     *                                  from 0 to 65535, or a trusted proxy is not an IP address or CIDR block
     */
    public static Args parse(String... args) {
        String host = "127.0.0.1";
        int port = 25567;
        boolean proxyProtocol = false;
        List<String> trusted = new ArrayList<>();
        Path unix = null;
        String framing = null;
        String stats = null;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i);
                case "--port" -> port = port(value(args, ++i));
                case "--unix" -> unix = Path.of(value(args, ++i));
                case "--proxy-protocol" -> proxyProtocol = true;
                case "--trusted-proxy" -> {
                    proxyProtocol = true;
                    trusted.add(value(args, ++i));
                }
                case "--framing" -> framing = value(args, ++i);
                case "--stats" -> stats = value(args, ++i);
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
                Optional.ofNullable(framing), Optional.ofNullable(stats), List.copyOf(words));
        parsed.proxy(); // refuses a bad trusted proxy now, with its message
        return parsed;
    }

    /** What a program does with its parsed command line; returns its exit status. */
    @FunctionalInterface
    public interface Program {
        /**
         * Runs the program.
         *
         * @param args the parsed command line
         * @return the exit status: 0 when all went well
         * @throws Exception anything; see {@link #exitStatus}
         */
        int run(Args args) throws Exception;
    }

    /**
     * Runs a program's {@code main}: parses its command line and runs it, and exits with its status when
     * that is not 0. A bad command line prints its message and the usage to standard error and exits 2; a
     * failed bind or connect prints its message and exits 1: no stack trace for what a user can fix.
     *
     * @param program the program's name, for messages
     * @param usage   its options, for the usage line
     * @param argv    the command line
     * @param body    the program
     */
    public static void main(String program, String usage, String[] argv, Program body) {
        int status = exitStatus(program, usage, argv, body, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * {@link #main}'s work, without the exit.
     *
     * @param program the program's name, for messages
     * @param usage   its options, for the usage line
     * @param argv    the command line
     * @param body    the program
     * @param err     where messages go
     * @return the exit status: the program's, 2 for a bad command line, 1 for an I/O failure (a port in use,
     *         a server that is not there)
     * @throws RuntimeException what the program threw otherwise (a bug: its stack trace is wanted)
     */
    public static int exitStatus(String program, String usage, String[] argv, Program body, java.io.PrintStream err) {
        try {
            return body.run(parse(argv));
        } catch (IllegalArgumentException e) {
            err.println(program + ": " + e.getMessage());
            err.println("usage: " + program + " " + usage);
            return 2;
        } catch (java.io.IOException e) {
            err.println(program + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(program + ": interrupted");
            return 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(program + " failed", e);
        }
    }

    /**
     * For a program that takes no options of a server's (a client): refuses {@code --proxy-protocol},
     * {@code --trusted-proxy} and {@code --stats}, so that they are not taken and quietly ignored.
     *
     * @param program the program's name, for the message
     * @throws IllegalArgumentException if one of them was given
     */
    public void refuseServerOptions(String program) {
        if (proxyProtocol || stats.isPresent()) {
            throw new IllegalArgumentException(program + " takes no --proxy-protocol, --trusted-proxy or --stats:"
                    + " those are the servers' options");
        }
    }

    /**
     * For a program that takes no words (a server): refuses any, so that {@code echo-server 9999} does not
     * quietly listen on the default port.
     *
     * @param program the program's name, for the message
     * @throws IllegalArgumentException if there are words
     */
    public void refuseWords(String program) {
        if (!words.isEmpty()) {
            throw new IllegalArgumentException(program + " takes options only, not " + words
                    + (words.get(0).matches("\\d+") ? "; for the port, say --port " + words.get(0) : ""));
        }
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
     * @return the words, in order
     */
    public List<String> messages() {
        return words;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        if (args[i].startsWith("--")) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value, not the option " + args[i]);
        }
        return args[i];
    }

    private static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalArgumentException("--port needs a number from 0 to 65535, not '" + value + "'");
    }
}
