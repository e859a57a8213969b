package simplesockets.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import simplesockets.api.ClientOptions;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * The one-command demo: an echo server and three clients in one process. Each client sends a few
 * messages and prints the reply with its round-trip time; then everything shuts down and the process
 * exits 0.
 */
public final class Demo {

    private static final int CLIENTS = 3;
    private static final int MESSAGES = 3;

    private Demo() {
    }

    /**
     * Runs the demo.
     *
     * @param args none: the demo takes no arguments (any is refused, exit status 2)
     * @throws Exception if anything fails; the exit status is then not 0
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.err.println("demo: takes no arguments, not " + java.util.List.of(args));
            System.exit(2);
        }
        if (!run(System.out)) {
            System.exit(1);
        }
    }

    /**
     * Runs the demo, printing its transcript.
     *
     * @param out where the transcript goes
     * @return {@code true} if every reply matched its message
     * @throws Exception if anything fails
     */
    public static boolean run(PrintStream out) throws Exception {
        boolean ok = true;
        // Length-prefixed framing: one message sent is one message received, however TCP splits it.
        Framing framing = Framing.lengthPrefixed(1024);
        // 1. An echo server on a free port; the callback answers on each client's virtual thread.
        try (TcpServer server = TcpServer.create(ServerOptions.builder().port(0).framing(framing)
                .onReceive((connection, data) -> connection.send(data))
                .build())) {
            server.start();
            out.println("server  listening on " + Args.where(server));

            // 2. Three clients, each with its own connection.
            List<TcpClient> clients = new ArrayList<>();
            try {
                for (int i = 1; i <= CLIENTS; i++) {
                    TcpClient client = TcpClient.create(ClientOptions.builder()
                            .address(server.localAddress().orElseThrow()).framing(framing).build());
                    clients.add(client); // closed below, even if its connect fails
                    client.connect();
                    var from = client.localAddress().orElseThrow();
                    out.println("client" + i + " connected from " + from.getHostString() + ":" + from.getPort());
                }

                // 3. Request and response: send, then wait for the echo.
                for (int m = 1; m <= MESSAGES; m++) {
                    for (int i = 1; i <= CLIENTS; i++) {
                        String message = "hello " + m + " from client" + i;
                        long start = System.nanoTime();
                        clients.get(i - 1).send(message.getBytes(StandardCharsets.UTF_8));
                        String reply = clients.get(i - 1).receive(Duration.ofSeconds(5))
                                .map(data -> new String(data, StandardCharsets.UTF_8)).orElse("<no reply>");
                        long micros = (System.nanoTime() - start) / 1_000;
                        out.printf("client%d sent %-24s got %-24s in %5d us%n", i, "\"" + message + "\"",
                                "\"" + reply + "\"", micros);
                        ok &= reply.equals(message);
                    }
                }
            } finally {
                // 4. Shut down, also after a failure: clients first, then the server (its try), which joins
                // every thread it started.
                for (TcpClient client : clients) {
                    client.close();
                }
            }
            out.println("server  had " + server.exceptions().size() + " exception(s)");
        }
        out.println(ok ? "demo ok: every reply matched" : "demo FAILED: a reply did not match");
        return ok;
    }
}
