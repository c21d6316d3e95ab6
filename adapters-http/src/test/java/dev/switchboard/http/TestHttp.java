package dev.switchboard.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A tiny HTTP client for edge tests: the JDK client, and raw HTTP/1.1 for headers it refuses to send (Host). */
final class TestHttp {
    static {
        // The shared client keeps connections alive between tests, whose servers come and go on random ports: a
        // pooled connection to a port a stopped server had, now another server's, is found closed only when used.
        // The client retries a GET on such a connection, and a POST only when told to.
        System.setProperty("jdk.httpclient.enableAllMethodRetry", "true");
    }

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private TestHttp() {
    }

    static HttpRequest.Builder request(int port, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery));
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String pathAndQuery) throws IOException, InterruptedException {
        return send(request(port, pathAndQuery));
    }

    /**
     * Status, lower-cased headers and body (as long as its {@code Content-Length}) of a raw request; each header in
     * {@code headers} is written as given.
     */
    record RawResponse(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static RawResponse raw(int port, String method, String pathAndQuery, Map<String, String> headers)
            throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            StringBuilder request = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            String statusLine = in.readLine();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> received = new LinkedHashMap<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                int colon = line.indexOf(':');
                received.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
            int length = received.containsKey("content-length") ? Integer.parseInt(received.get("content-length")) : 0;
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                int now = in.read(body, read, length - read);
                if (now < 0) {
                    break;
                }
                read += now;
            }
            return new RawResponse(status, received, new String(body, 0, read));
        }
    }
}
