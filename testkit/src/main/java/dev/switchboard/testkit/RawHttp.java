package dev.switchboard.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no HTTP client will send: broken request lines, bad percent-encoding,
 * bad chunk sizes, oversized heads, forged upgrade headers, bodies that lie about their length. One request per
 * connection. Stateless and thread-safe.
 */
public final class RawHttp {
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private RawHttp() {
    }

    /**
     * An answer: the status (0 when the server closed the connection without one), the headers with lower-case names
     * (the last of a repeated header), and the body as text (chunked bodies decoded).
     */
    public record Answer(int status, Map<String, String> headers, String body) {
        public Answer {
            headers = Map.copyOf(headers);
        }

        /** The header {@code name} (any case), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * The bytes of a request: the request line, {@code Host}, the given headers, {@code Content-Length} when there is a
     * body and no length or transfer coding is given, and {@code Connection: close}.
     */
    public static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: localhost\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        boolean framed = headers.keySet().stream().anyMatch(name -> name.equalsIgnoreCase("Content-Length")
                || name.equalsIgnoreCase("Transfer-Encoding"));
        if (body != null && !framed) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            bytes.writeBytes(body);
        }
        return bytes.toByteArray();
    }

    /** Sends {@code request} as it is to the loopback {@code port} and reads the answer. */
    public static Answer exchange(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before a large request is written; its answer is still there
            }
            return read(socket.getInputStream());
        }
    }

    /** Reads one answer from {@code in}. */
    public static Answer read(InputStream in) throws IOException {
        String statusLine;
        try {
            statusLine = line(in);
        } catch (IOException e) {
            return new Answer(0, Map.of(), "");
        }
        if (statusLine == null || !statusLine.startsWith("HTTP/")) {
            return new Answer(0, Map.of(), "");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
        byte[] body;
        if (status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunked(in);
        } else {
            body = untilClosed(in);
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String size = line(in); size != null; size = line(in)) {
            int semicolon = size.indexOf(';');
            int length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
            if (length == 0) {
                break;
            }
            body.writeBytes(in.readNBytes(length));
            line(in);
        }
        return body.toByteArray();
    }

    private static byte[] untilClosed(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketTimeoutException e) {
            return new byte[0];
        }
    }

    /** One line without its CRLF; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b = in.read();
        if (b < 0) {
            return null;
        }
        while (b >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
            b = in.read();
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
