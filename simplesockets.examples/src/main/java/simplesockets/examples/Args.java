package simplesockets.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * The examples' command line: {@code --host HOST}, {@code --port PORT}, and the remaining words.
 *
 * @param host  the host, default {@code 127.0.0.1}
 * @param port  the port, default 25567 (the seed's)
 * @param words everything that is not an option
 */
public record Args(String host, int port, List<String> words) {

    /**
     * Parses a command line.
     *
     * @param args the arguments
     * @return the parsed arguments
     * @throws IllegalArgumentException if an option lacks its value or a port is not a number
     */
    public static Args parse(String... args) {
        String host = "127.0.0.1";
        int port = 25567;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i);
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                default -> words.add(args[i]);
            }
        }
        return new Args(host, port, List.copyOf(words));
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
