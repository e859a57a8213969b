package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Failure;
import simplesockets.api.TcpServer;

/**
 * The chat example speaks lines: two {@code ncat} clients talk through it and see whole lines relayed,
 * whether a line was typed in parts, with {@code \r\n}, or without a final newline, and a client that
 * sends an endless line is cut off while the others chat on. Skipped without {@code ncat}, unless
 * {@code SIMPLESOCKETS_REQUIRE_TOOLS} is set.
 */
@Timeout(60)
class ChatLinesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** An {@code ncat} process connected to the chat: what it prints arrives line by line in a queue. */
    private static final class Ncat implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Ncat(int port, String... options) throws IOException {
            List<String> command = new ArrayList<>(List.of(Tools.find("ncat")));
            command.addAll(List.of(options));
            command.addAll(List.of("127.0.0.1", String.valueOf(port)));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
        }

        /** Types into ncat's standard input, which ncat sends on as it comes. */
        void type(String text) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Ends ncat's standard input: ncat sends what it has, then shuts down its output. */
        void endInput() throws IOException {
            process.getOutputStream().close();
        }

        String nextLine() throws InterruptedException {
            String line = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(line, "ncat printed no line within " + WAIT);
            return line;
        }

        /** The next line that is not a join announcement (the others' joins may come at any time). */
        String nextMessage() throws InterruptedException {
            for (int i = 0; i < 10; i++) {
                String line = nextLine();
                if (!line.endsWith(": joined")) {
                    return line;
                }
            }
            throw new AssertionError("only join announcements");
        }

        boolean exited() throws InterruptedException {
            return process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Waits until the chat has this many members; the chat offers nothing to wait on, so this looks every 10 ms. */
    private static void awaitMembers(TcpServer chat, int members) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (chat.clients().size() != members && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        assertEquals(members, chat.clients().size(), "members of the chat");
    }

    /** The prefix of a newcomer's lines, read from the join announcement the listener sees. */
    private static String joinedPrefix(Ncat listener) throws InterruptedException {
        String joined = listener.nextLine();
        assertTrue(joined.endsWith(": joined"), joined);
        return joined.substring(0, joined.length() - "joined".length());
    }

    @Test
    void twoNcatClientsSeeWholeLinesRelayed() throws Exception {
        Tools.find("ncat");
        try (TcpServer chat = ChatServer.start("127.0.0.1", 0); Ncat bob = new Ncat(chat.localAddress().orElseThrow().getPort())) {
            awaitMembers(chat, 1);
            // Alice's lines end in \r\n, and her ncat pauses 100 ms after each send, so a line typed in
            // parts reaches the chat in parts (raw framing would relay each part as it came).
            try (Ncat alice = new Ncat(chat.localAddress().orElseThrow().getPort(), "--crlf", "--delay", "100ms")) {
                String from = joinedPrefix(bob);
                alice.type("hel");
                alice.type("lo, ");
                alice.type("bob\n");
                assertEquals(from + "hello, bob", bob.nextLine(), "one line typed in three parts, relayed whole");
                alice.type("two lines\nin one go\n\n");
                assertEquals(from + "two lines", bob.nextLine());
                assertEquals(from + "in one go", bob.nextLine());
                assertEquals(from, bob.nextLine(), "an empty line is relayed as one");

                bob.type("hi alice\n");
                assertEquals(chat.clients().getFirst().remoteAddress().getPort() + ": hi alice", alice.nextMessage());

                alice.type("bye, and no newline");
                alice.endInput();
                assertEquals(from + "bye, and no newline", bob.nextLine(), "the last line, ended by the end of stream");
                assertEquals(from + "left", bob.nextLine());
                assertTrue(alice.exited(), "the chat closed alice's connection once she was done");
            }
            assertTrue(chat.drainExceptions().isEmpty());
        }
    }

    @Test
    void anNcatClientWithAnEndlessLineIsCutOffAndTheOthersChatOn() throws Exception {
        Tools.find("ncat");
        try (TcpServer chat = ChatServer.start("127.0.0.1", 0); Ncat bob = new Ncat(chat.localAddress().orElseThrow().getPort())) {
            awaitMembers(chat, 1);
            try (Ncat flood = new Ncat(chat.localAddress().orElseThrow().getPort())) {
                String from = joinedPrefix(bob);
                String chunk = "x".repeat(4096);
                try {
                    for (int i = 0; i < 64; i++) { // 256 KiB without a newline, 32 times the chat's limit
                        flood.type(chunk);
                    }
                } catch (IOException e) {
                    // ncat already exited: the chat cut it off
                }
                assertEquals(from + "left (a line over 8192 bytes)", bob.nextLine(),
                        "the chat cut the flood off, and none of it reached bob");
            }
            assertTrue(chat.exceptions(false, false).stream().anyMatch(f -> f instanceof Failure.Protocol),
                    "recorded: " + chat.exceptions(false, false));
            try (Ncat carol = new Ncat(chat.localAddress().orElseThrow().getPort())) {
                String from = joinedPrefix(bob);
                carol.type("still chatting\n");
                assertEquals(from + "still chatting", bob.nextLine());
            }
        }
    }

    @Test
    void aLineThatFitsButNotWithItsPrefixIsRefusedWithANotice() throws Exception {
        try (TcpServer chat = ChatServer.start("127.0.0.1", 0);
             Socket alice = new Socket(InetAddress.getLoopbackAddress(), chat.localAddress().orElseThrow().getPort())) {
            alice.setSoTimeout((int) WAIT.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(alice.getInputStream(), StandardCharsets.UTF_8));
            alice.getOutputStream().write(("y".repeat(ChatServer.MAX_LINE_BYTES) + "\r\n").getBytes(StandardCharsets.UTF_8));
            String prefix = alice.getLocalPort() + ": ";
            assertEquals("* not relayed: a line may have at most " + (ChatServer.MAX_LINE_BYTES - prefix.length()) + " bytes",
                    in.readLine());
            alice.getOutputStream().write("short\n".getBytes(StandardCharsets.UTF_8));
            alice.getOutputStream().write(("z".repeat(ChatServer.MAX_LINE_BYTES + 1) + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                assertEquals(null, in.readLine(), "a line over the limit ends the connection");
            } catch (java.net.SocketException e) {
                // reset: the chat closed the connection with the rest of the long line unread
            }
            assertTrue(chat.exceptions(false, false).stream().anyMatch(f -> f instanceof Failure.Protocol));
        }
    }

    /** The room hears why someone left, for every kind of end. */
    @Test
    void theRoomHearsWhySomeoneLeft() {
        assertEquals("left", ChatServer.left(simplesockets.api.DisconnectReason.PEER_CLOSED));
        assertEquals("left (too slow to read the chat)", ChatServer.left(simplesockets.api.DisconnectReason.SLOW_CONSUMER));
        assertEquals("left (a line over 8192 bytes)", ChatServer.left(
                new simplesockets.api.DisconnectReason.Failed(new java.net.ProtocolException("line too long"))));
        assertEquals("left (SocketException)", ChatServer.left(
                new simplesockets.api.DisconnectReason.Failed(new java.net.SocketException("broken pipe"))));
    }
}
