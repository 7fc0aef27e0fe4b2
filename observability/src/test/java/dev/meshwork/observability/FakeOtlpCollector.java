package dev.meshwork.observability;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts OTLP/HTTP exports and answers success, counting what arrived: enough of a collector to
 * run the real exporter path (serialization, HTTP, batching) without Jaeger.
 */
final class FakeOtlpCollector implements AutoCloseable {

  private final HttpServer server;
  private final AtomicLong traceRequests = new AtomicLong();
  private final AtomicLong traceBytes = new AtomicLong();

  private FakeOtlpCollector(HttpServer server) {
    this.server = server;
  }

  static FakeOtlpCollector start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      FakeOtlpCollector collector = new FakeOtlpCollector(server);
      server.createContext(
          "/",
          exchange -> {
            long bytes = exchange.getRequestBody().readAllBytes().length;
            if (exchange.getRequestURI().getPath().equals("/v1/traces")) {
              collector.traceRequests.incrementAndGet();
              collector.traceBytes.addAndGet(bytes);
            }
            // An empty ExportTraceServiceResponse is zero bytes: full success.
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
      server.setExecutor(Executors.newFixedThreadPool(2));
      server.start();
      return collector;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  long traceRequests() {
    return traceRequests.get();
  }

  long traceBytes() {
    return traceBytes.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
