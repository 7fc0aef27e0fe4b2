package dev.meshwork.agents.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.Parts;
import dev.meshwork.agent.SkillStream;
import dev.meshwork.agent.TestSkillContext;
import dev.meshwork.agents.llm.internal.ChatCompletionsClient;
import dev.meshwork.agents.llm.internal.LlmSkills;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeStreamRequest;
import dev.meshwork.api.agent.v1.InvokeStreamResponse;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.ConfigException;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.core.testing.FakeRegistry;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The LLM agent against a local server speaking the chat-completions protocol. */
class LlmAgentTest {

  private static final SkillStream NO_STREAM =
      new SkillStream() {
        @Override
        public void progress(String message, double progress) {}

        @Override
        public void progress(String message, double progress, com.google.protobuf.Struct d) {}

        @Override
        public void chunk(List<Part> parts) {}
      };

  private final FakeChatServer upstream = newUpstream();

  @AfterEach
  void tearDown() {
    upstream.close();
  }

  @Test
  void chat_text_sendsUserMessageWithKeyAndReturnsAnswer() throws Exception {
    List<Part> out = skills("sk-test").chat(context(), List.of(Parts.text("hi there")), NO_STREAM);

    assertThat(out.get(0).getText()).isEqualTo("echo: hi there");
    assertThat(Parts.firstData(out).orElseThrow())
        .containsEntry("model", "tiny-2025")
        .containsEntry("finish_reason", "stop")
        .containsEntry("usage", Map.of("prompt_tokens", 7.0, "completion_tokens", 3.0,
            "total_tokens", 10.0));
    FakeChatServer.Request request = upstream.requests().get(0);
    assertThat(request.authorization()).isEqualTo("Bearer sk-test");
    assertThat(request.body())
        .containsEntry("model", "tiny")
        .containsEntry("stream", false)
        .containsEntry("messages", List.of(Map.of("role", "user", "content", "hi there")));
  }

  @Test
  void chat_systemHistoryAndOptions_sentInOrder() throws Exception {
    skills(null)
        .chat(
            context(),
            List.of(
                Parts.data(
                    Map.of(
                        "system", "Be brief.",
                        "messages", List.of(
                            Map.of("role", "user", "content", "a"),
                            Map.of("role", "assistant", "content", "b")),
                        "temperature", 0.2,
                        "max_tokens", 64)),
                Parts.text("c")),
            NO_STREAM);

    FakeChatServer.Request request = upstream.requests().get(0);
    assertThat(request.authorization()).isNull();
    assertThat(request.body().get("messages"))
        .isEqualTo(List.of(
            Map.of("role", "system", "content", "Be brief."),
            Map.of("role", "user", "content", "a"),
            Map.of("role", "assistant", "content", "b"),
            Map.of("role", "user", "content", "c")));
    assertThat(request.body()).containsEntry("temperature", 0.2).containsEntry("max_tokens", 64.0);
  }

  @Test
  void chat_noUserMessage_invalidArgument() {
    assertThatThrownBy(
            () -> skills(null).chat(context(), List.of(Parts.data(Map.of("system", "x"))),
                NO_STREAM))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(upstream.requests()).isEmpty();
  }

  @Test
  void chat_badRole_invalidArgumentNamingTheMessage() {
    assertThatThrownBy(
            () -> skills(null).chat(
                context(),
                List.of(Parts.data(Map.of("messages",
                    List.of(Map.of("role", "tool", "content", "x"))))),
                NO_STREAM))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("input.data.messages[0]"));
  }

  @Test
  void chat_rateLimited_resourceExhaustedWithRetryDelay() {
    upstream.failWith(429, "{\"error\": {\"message\": \"slow down\"}}", "7");

    assertThatThrownBy(() -> skills("k").chat(context(), List.of(Parts.text("x")), NO_STREAM))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
              assertThat(e.getMessage()).isEqualTo("LLM endpoint answered HTTP 429: slow down");
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
            });
  }

  @Test
  void chat_keyRejected_failedPreconditionWithoutTheKey() {
    upstream.failWith(401, "{\"error\": {\"message\": \"invalid key sk-secret\"}}", null);

    assertThatThrownBy(() -> skills("sk-secret").chat(context(), List.of(Parts.text("x")),
            NO_STREAM))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
              assertThat(e.getMessage()).doesNotContain("sk-secret").contains("MESHWORK_LLM_KEY");
            });
  }

  @Test
  void chat_serverError_unavailable() {
    upstream.failWith(502, "bad gateway", null);

    assertThatThrownBy(() -> skills(null).chat(context(), List.of(Parts.text("x")), NO_STREAM))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
              assertThat(e.getMessage()).isEqualTo("LLM endpoint answered HTTP 502: bad gateway");
            });
  }

  @Test
  void chat_upstreamSlowerThanCallerDeadline_deadlineExceeded() {
    upstream.delay(Duration.ofSeconds(5));

    assertThatThrownBy(
            () -> skills(null).chat(context().withTimeout(Duration.ofMillis(300)),
                List.of(Parts.text("x")), NO_STREAM))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED));
  }

  @Test
  void chat_endpointDown_unavailable() {
    upstream.close();

    assertThatThrownBy(() -> skills(null).chat(context(), List.of(Parts.text("x")), NO_STREAM))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
  }

  @Test
  void chatCompletionsUri_baseOrFullUrl_normalized() {
    assertThat(LlmConfig.chatCompletionsUri("http://localhost:11434"))
        .isEqualTo(URI.create("http://localhost:11434/v1/chat/completions"));
    assertThat(LlmConfig.chatCompletionsUri("https://api.openai.com/v1/"))
        .isEqualTo(URI.create("https://api.openai.com/v1/chat/completions"));
    assertThat(LlmConfig.chatCompletionsUri("http://h/openai/v1/chat/completions"))
        .isEqualTo(URI.create("http://h/openai/v1/chat/completions"));
    assertThatThrownBy(() -> LlmConfig.chatCompletionsUri("localhost:11434"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--llm-url / MESHWORK_LLM_URL: 'localhost:11434'");
  }

  @Test
  void fromSettings_noUrl_isOffAndUrlWithoutModelFails() {
    assertThat(LlmConfig.fromSettings(Settings.of(new String[0], Map.of()))).isEmpty();
    assertThatThrownBy(
            () -> LlmConfig.fromSettings(
                Settings.of(new String[0], Map.of("MESHWORK_LLM_URL", "http://h:1"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--llm-model / MESHWORK_LLM_MODEL: not set");
    LlmConfig config =
        LlmConfig.fromSettings(
                Settings.of(new String[0], Map.of(
                    "MESHWORK_LLM_URL", "http://h:1", "MESHWORK_LLM_MODEL", "m",
                    "MESHWORK_LLM_KEY", "k")))
            .orElseThrow();
    assertThat(config.apiKey()).contains("k");
  }

  @Test
  void invokeStream_runningAgent_statusThenAnswer() throws Exception {
    FakeRegistry registry = new FakeRegistry();
    String name = InProcessServerBuilder.generateName();
    Server registryServer = InProcessServerBuilder.forName(name).addService(registry).build()
        .start();
    ManagedChannel registryChannel = InProcessChannelBuilder.forName(name).build();
    MeshAgent.Builder builder =
        MeshAgent.builder()
            .name("llm")
            .serverConfig(insecure())
            .registryChannel(registryChannel)
            .drainDelay(Duration.ZERO);
    MeshAgent agent = skills(null).addTo(builder).start();
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", agent.port(),
            InsecureChannelCredentials.create()).build();
    try {
      List<InvokeStreamResponse> events = new ArrayList<>();
      AgentServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .invokeStream(InvokeStreamRequest.newBuilder().setSkillId("llm.chat")
              .addInput(Parts.text("ping")).build())
          .forEachRemaining(events::add);

      assertThat(events.get(0).getStatus().getMessage()).isEqualTo("asking tiny");
      assertThat(events.get(1).getResult().getOutput(0).getText()).isEqualTo("echo: ping");
    } finally {
      channel.shutdownNow();
      agent.shutdown();
      registryChannel.shutdownNow();
      registryServer.shutdownNow();
    }
  }

  @Test
  void invoke_unconfiguredAgent_failedPreconditionAndNoRegistration() {
    MeshAgent agent =
        LlmSkills.unconfigured(
                MeshAgent.builder().name("llm").serverConfig(insecure()).registry("none")
                    .drainDelay(Duration.ZERO))
            .start();
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", agent.port(),
            InsecureChannelCredentials.create()).build();
    try {
      assertThatThrownBy(
              () -> AgentServiceGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .invoke(InvokeRequest.newBuilder().setSkillId("llm.chat")
                      .addInput(Parts.text("hi")).build()))
          .hasMessage("FAILED_PRECONDITION: the llm agent has no endpoint: set MESHWORK_LLM_URL"
              + " and MESHWORK_LLM_MODEL");
      assertThat(agent.instanceId()).isEmpty();
    } finally {
      channel.shutdownNow();
      agent.shutdown();
    }
  }

  private LlmSkills skills(String key) {
    LlmConfig config =
        new LlmConfig(
            LlmConfig.chatCompletionsUri(upstream.baseUrl()), "tiny", Optional.ofNullable(key),
            Duration.ofSeconds(10));
    return new LlmSkills(new ChatCompletionsClient(config), config.timeout());
  }

  private static TestSkillContext context() {
    return TestSkillContext.of("llm.chat");
  }

  private static ServerConfig insecure() {
    return new ServerConfig(
        "127.0.0.1", 0, Duration.ofSeconds(1), Optional.empty(),
        new TlsConfig(
            true, MeshIdentity.parseKindName(MeshIdentity.DEFAULT_TRUST_DOMAIN, "agent/llm"),
            Path.of("x"), Path.of("y"), Path.of("z"), Duration.ofSeconds(30)));
  }

  private static FakeChatServer newUpstream() {
    try {
      return new FakeChatServer();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
