package dev.meshwork.orchestrator;

/**
 * A running watch of run events. Its transport tells it when the stream can take more (flow
 * control) and when the client went away.
 */
public interface Watch {

  /** The stream became ready for more events. */
  void onReady();

  /** The client went away; stop sending and release the subscription. */
  void cancel();
}
