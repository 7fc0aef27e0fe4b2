package dev.meshwork.orchestrator;

import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.core.MeshException;

/**
 * Where a watch sends its events: implemented over a gRPC server stream, or by tests. Only one
 * thread at a time calls it.
 */
public interface EventStream {

  /** True when the stream can take a message now without buffering (flow control). */
  boolean isReady();

  /** Sends one event. */
  void send(RunEvent event);

  /**
   * Sends one event of the runs firehose with its position (what a client resumes from). Only
   * firehose watches call it; a stream that carries no positions may keep this default, which sends
   * the event alone.
   */
  default void send(RunEvent event, long position) {
    send(event);
  }

  /** Ends the stream normally. */
  void complete();

  /** Ends the stream with an error. */
  void fail(MeshException error);
}
