package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private final SseParser parser = new SseParser();

  private List<SseParser.Event> feed(String... lines) {
    List<SseParser.Event> events = new ArrayList<>();
    for (String line : lines) {
      parser.line(line).ifPresent(events::add);
    }
    return events;
  }

  @Test
  void line_eventAndData_completedByBlankLine() {
    assertThat(feed("id: 7", "event: RUN_EVENT_TYPE_RUN_COMPLETED", "data: {\"a\":1}")).isEmpty();

    assertThat(feed(""))
        .containsExactly(new SseParser.Event("RUN_EVENT_TYPE_RUN_COMPLETED", "{\"a\":1}"));
  }

  @Test
  void line_commentsRetryAndEventsWithoutData_completeNothing() {
    assertThat(feed("retry: 2000", "", ": heartbeat", "", "event: lonely", "")).isEmpty();
  }

  @Test
  void line_afterAnEvent_typeStartsOverAsMessage() {
    assertThat(feed("event: end", "data: {}", "", "data: x", ""))
        .containsExactly(new SseParser.Event("end", "{}"), new SseParser.Event("message", "x"));
  }

  @Test
  void line_severalDataLines_joinedWithNewline() {
    assertThat(feed("data: one", "data:two", "data", ""))
        .containsExactly(new SseParser.Event("message", "one\ntwo\n"));
  }

  @Test
  void line_onlyOneSpaceAfterColon_removed() {
    assertThat(feed("event:  spaced", "data:  x", ""))
        .containsExactly(new SseParser.Event(" spaced", " x"));
  }
}
