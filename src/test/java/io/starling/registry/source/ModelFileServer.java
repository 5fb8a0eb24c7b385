package io.starling.registry.source;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback HTTP server serving one file at {@link #uri()}, with the misbehaviours downloads must survive:
 * no Range support, a body cut short, an error status, a response held back until the test releases it.
 * It records the Range header of every request.
 */
public final class ModelFileServer implements AutoCloseable {

    private static final Pattern OPEN_RANGE = Pattern.compile("bytes=(\\d+)-");

    private final byte[] content;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final AtomicInteger cutNextBodyAfter = new AtomicInteger(-1);
    private final AtomicInteger stallNextBodyAfter = new AtomicInteger(-1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CountDownLatch requestArrived = new CountDownLatch(1);
    private volatile boolean honoursRange = true;
    private volatile int failWithStatus;
    private volatile CountDownLatch gate = new CountDownLatch(0);

    public ModelFileServer(byte[] content) throws IOException {
        this.content = content.clone();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/model.gguf");
    }

    /** Every request's Range header so far ("" for none), in arrival order. */
    public List<String> ranges() {
        return List.copyOf(ranges);
    }

    public int requests() {
        return ranges.size();
    }

    /** Answer 200 with the whole file whatever Range asks, as some servers and proxies do. */
    public ModelFileServer ignoringRange() {
        honoursRange = false;
        return this;
    }

    /** Send the headers of the next response (full length), then only {@code bytes} of the body, then close. */
    public ModelFileServer cutNextBodyAfter(int bytes) {
        cutNextBodyAfter.set(bytes);
        return this;
    }

    /** Send {@code bytes} of the next body, then nothing more (the connection stays open) until the server closes. */
    public ModelFileServer stallNextBodyAfter(int bytes) {
        stallNextBodyAfter.set(bytes);
        return this;
    }

    public ModelFileServer failingWith(int status) {
        failWithStatus = status;
        return this;
    }

    /** Hold every response until {@link #release()}. */
    public ModelFileServer holdingResponses() {
        gate = new CountDownLatch(1);
        return this;
    }

    public void release() {
        gate.countDown();
    }

    public void awaitFirstRequest() throws InterruptedException {
        if (!requestArrived.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no request reached the test server");
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String range = exchange.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "" : range);
            requestArrived.countDown();
            gate.await();
            exchange.getRequestBody().readAllBytes();
            if (failWithStatus != 0) {
                exchange.sendResponseHeaders(failWithStatus, -1);
                return;
            }
            int from = 0;
            Matcher open = OPEN_RANGE.matcher(range == null ? "" : range);
            if (honoursRange && open.matches()) {
                from = Integer.parseInt(open.group(1));
                if (from >= content.length) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
                exchange.sendResponseHeaders(206, content.length - from);
            } else {
                exchange.sendResponseHeaders(200, content.length);
            }
            OutputStream body = exchange.getResponseBody();
            int cut = cutNextBodyAfter.getAndSet(-1);
            if (cut >= 0) {
                body.write(content, from, cut);
                body.flush();
                // Closing short of the announced length makes the server drop the connection mid-body.
                return;
            }
            int stall = stallNextBodyAfter.getAndSet(-1);
            if (stall >= 0) {
                body.write(content, from, stall);
                body.flush();
                closed.await();
                return;
            }
            body.write(content, from, content.length - from);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        gate.countDown();
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
