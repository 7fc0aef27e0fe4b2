package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.orchestrator.v1.GetRunRequest;
import dev.meshwork.api.orchestrator.v1.GetRunResponse;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.Run;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Calls take the channel of the event loop they are made on, else the pool's channels in turn; the
 * pool shuts them all down.
 */
class ChannelPoolTest {

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> made = new ArrayList<>();
  private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);

  @AfterEach
  void stop() {
    made.forEach(ManagedChannel::shutdownNow);
    servers.forEach(Server::shutdownNow);
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  @Test
  void newCall_perEventLoop_callOnALoopTakesThatLoopsChannel() throws Exception {
    List<String> served = new ArrayList<>();
    List<String> names = List.of(server("a", served), server("b", served));
    List<EventLoop> loops = new ArrayList<>();
    ChannelPool pool =
        ChannelPool.perEventLoop(
            group,
            loop -> {
              loops.add(loop);
              return channel(names.get(made.size()));
            });
    OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub =
        OrchestratorServiceGrpc.newBlockingStub(pool);
    GetRunRequest request = GetRunRequest.newBuilder().setRunId("r").build();

    // The second loop first, then the first, twice: each call lands on its own loop's channel.
    for (int i = 0; i < 4; i++) {
      loops.get(1 - i % 2).submit(() -> stub.getRun(request)).get(5, TimeUnit.SECONDS);
    }

    assertThat(pool.size()).isEqualTo(2);
    assertThat(served).containsExactly("b", "a", "b", "a");
  }

  @Test
  void newCall_perEventLoopFromAnotherThread_channelsInTurn() throws Exception {
    List<String> served = new ArrayList<>();
    List<String> names = List.of(server("a", served), server("b", served));
    ChannelPool pool = ChannelPool.perEventLoop(group, loop -> channel(names.get(made.size())));
    OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub =
        OrchestratorServiceGrpc.newBlockingStub(pool);

    for (int i = 0; i < 4; i++) {
      stub.getRun(GetRunRequest.newBuilder().setRunId("r" + i).build());
    }

    assertThat(served).containsExactly("a", "b", "a", "b");
  }

  @Test
  void shutdown_everyChannelTerminates() throws Exception {
    String a = server("a", new ArrayList<>());
    ChannelPool pool = ChannelPool.perEventLoop(group, loop -> channel(a));

    pool.shutdown();

    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(made).hasSize(2).allMatch(ManagedChannel::isTerminated);
  }

  @Test
  void shutdownNow_everyChannelTerminates() throws Exception {
    String a = server("a", new ArrayList<>());
    ChannelPool pool = ChannelPool.perEventLoop(group, loop -> channel(a));

    pool.shutdownNow();

    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(made).hasSize(2).allMatch(ManagedChannel::isShutdown);
  }

  /** An in-process orchestrator that records {@code label} for every GetRun it serves. */
  private String server(String label, List<String> served) throws Exception {
    String name = InProcessServerBuilder.generateName();
    servers.add(
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new OrchestratorServiceGrpc.OrchestratorServiceImplBase() {
                  @Override
                  public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> out) {
                    synchronized (served) {
                      served.add(label);
                    }
                    out.onNext(
                        GetRunResponse.newBuilder()
                            .setRun(Run.newBuilder().setRunId(request.getRunId()))
                            .build());
                    out.onCompleted();
                  }
                })
            .build()
            .start());
    return name;
  }

  private ManagedChannel channel(String name) {
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    made.add(channel);
    return channel;
  }
}
