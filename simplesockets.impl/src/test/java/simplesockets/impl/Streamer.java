package simplesockets.impl;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/** A peer process for the SIGKILL test: connects and streams bytes until it is killed. */
public final class Streamer {
    private Streamer() {
    }

    public static void main(String[] args) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]))) {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[8192];
            System.out.println("streaming");
            System.out.flush();
            while (true) {
                out.write(chunk);
            }
        }
    }
}
