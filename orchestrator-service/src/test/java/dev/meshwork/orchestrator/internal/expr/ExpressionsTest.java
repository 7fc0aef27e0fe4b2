package dev.meshwork.orchestrator.internal.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshwork.api.common.v1.Part;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionsTest {

  /** A scope over a fixed input, step outputs (as parts) and an optional item. */
  private static final class TestScope implements Scope {
    private final Map<String, Object> input;
    private final Map<String, List<Part>> outputs = new HashMap<>();
    private Object item;
    private boolean hasItem;

    TestScope(Map<String, Object> input) {
      this.input = input;
    }

    TestScope output(String step, Part... parts) {
      outputs.put(step, List.of(parts));
      return this;
    }

    TestScope item(Object item) {
      this.item = item;
      this.hasItem = true;
      return this;
    }

    @Override
    public Object input() {
      return input;
    }

    @Override
    public boolean hasOutput(String stepId) {
      return outputs.containsKey(stepId);
    }

    @Override
    public Object stepOutput(String stepId) {
      return Values.fromParts(outputs.get(stepId));
    }

    @Override
    public boolean hasItem() {
      return hasItem;
    }

    @Override
    public Object item() {
      return item;
    }
  }

  private static Part text(String s) {
    return Part.newBuilder().setText(s).build();
  }

  private static Part data(Map<String, Object> map) {
    return Part.newBuilder().setData(Values.toStruct(map)).build();
  }

  private final TestScope scope =
      new TestScope(Map.of("a", Map.of("b", "deep"), "n", 3.0, "items", List.of("x", "y")))
          .output("t", text("hello"))
          .output("d", data(Map.of("score", -0.5, "tags", List.of("p", "q"), "ok", true)))
          .output("m", text("one"), data(Map.of("k", "v")));

  private Object render(String template) {
    return InputRenderer.renderString(template, scope);
  }

  private boolean test(String condition) {
    return Evaluator.test(ExpressionParser.parse(condition), scope);
  }

  @Test
  void render_inputPath_resolvesNestedField() {
    assertThat(render("{{ input.a.b }}")).isEqualTo("deep");
  }

  @Test
  void render_singleTextPart_isTheString() {
    assertThat(render("{{ steps.t.output }}")).isEqualTo("hello");
  }

  @Test
  void render_dataPart_isAMapAndPathsReachInside() {
    assertThat(render("{{ steps.d.output }}")).isInstanceOf(Map.class);
    assertThat(render("{{ steps.d.output.tags[1] }}")).isEqualTo("q");
    assertThat(render("{{ steps.d.output['score'] }}")).isEqualTo(-0.5);
  }

  @Test
  void render_severalParts_isAList() {
    assertThat(render("{{ steps.m.output }}")).isEqualTo(List.of("one", Map.of("k", "v")));
    assertThat(render("{{ steps.m.output[1].k }}")).isEqualTo("v");
  }

  @Test
  void render_exactPlaceholder_keepsType() {
    assertThat(render("{{ input.n }}")).isEqualTo(3.0);
    assertThat(render("  {{ input.items }}")).isEqualTo("  [\"x\",\"y\"]");
    assertThat(render("{{input.items}}")).isEqualTo(List.of("x", "y"));
  }

  @Test
  void render_mixedText_interpolates() {
    assertThat(render("n={{ input.n }}, t={{ steps.t.output }}, missing=[{{ input.zz }}]"))
        .isEqualTo("n=3, t=hello, missing=[]");
  }

  @Test
  void render_item_insideForEach() {
    TestScope withItem = new TestScope(Map.of()).item(Map.of("x", "ex"));

    assertThat(InputRenderer.renderString("{{ item.x }}!", withItem)).isEqualTo("ex!");
    assertThat(InputRenderer.renderString("{{ item }}", withItem)).isEqualTo(Map.of("x", "ex"));
  }

  @Test
  void render_itemOutsideForEach_fails() {
    assertThatThrownBy(() -> render("{{ item }}")).isInstanceOf(ExpressionException.class);
  }

  @Test
  void render_structTemplate_rendersEveryString() {
    Value template =
        Value.newBuilder()
            .setStructValue(
                Struct.newBuilder()
                    .putFields("q", Value.newBuilder().setStringValue("{{ input.a }}").build())
                    .putFields("lit", Value.newBuilder().setNumberValue(7).build()))
            .build();

    assertThat(InputRenderer.render(template, scope))
        .isEqualTo(Map.of("q", Map.of("b", "deep"), "lit", 7.0));
  }

  @Test
  void test_comparisons_numbersStringsBooleansNull() {
    assertThat(test("steps.d.output.score < 0")).isTrue();
    assertThat(test("steps.d.output.score >= 0")).isFalse();
    assertThat(test("input.n == 3")).isTrue();
    assertThat(test("input.n != 3.5")).isTrue();
    assertThat(test("steps.t.output == 'hello'")).isTrue();
    assertThat(test("steps.t.output == \"hellO\"")).isFalse();
    assertThat(test("steps.d.output.ok == true")).isTrue();
    assertThat(test("input.missing == null")).isTrue();
    assertThat(test("input.missing > 1")).isFalse();
    assertThat(test("input.a.b <= 'deep'")).isTrue();
  }

  @Test
  void test_numericText_comparedAsNumber() {
    TestScope s = new TestScope(Map.of()).output("t", text("0.8"));

    assertThat(Evaluator.test(ExpressionParser.parse("steps.t.output > 0.5"), s)).isTrue();
  }

  @Test
  void test_booleanOperators_precedenceAndParentheses() {
    assertThat(test("input.n == 3 && steps.t.output == 'hello'")).isTrue();
    assertThat(test("input.n == 4 || input.n == 3 && false")).isFalse();
    assertThat(test("(input.n == 4 || input.n == 3) && !false")).isTrue();
    assertThat(test("!input.missing")).isTrue();
    assertThat(test("!(input.n > 1)")).isFalse();
  }

  @Test
  void test_truthinessOfBarePaths() {
    assertThat(test("input.items")).isTrue();
    assertThat(test("steps.d.output.ok")).isTrue();
    assertThat(test("input.missing")).isFalse();
    assertThat(test("steps.never.output")).isFalse();
    assertThat(Evaluator.truthy(0.0)).isFalse();
    assertThat(Evaluator.truthy("")).isFalse();
    assertThat(Evaluator.truthy(List.of())).isFalse();
  }

  @Test
  void parse_badExpressions_failWithOffset() {
    assertThatThrownBy(() -> ExpressionParser.parse("input.x ==")).hasMessageContaining("offset");
    assertThatThrownBy(() -> ExpressionParser.parse("foo.bar"))
        .hasMessageContaining("unknown name");
    assertThatThrownBy(() -> ExpressionParser.parse("steps.a.result"))
        .hasMessageContaining(".output");
    assertThatThrownBy(() -> ExpressionParser.parse("(input.x")).hasMessageContaining("')'");
    assertThatThrownBy(() -> ExpressionParser.parse("'open")).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> ExpressionParser.parse("input.x == 1 2"))
        .hasMessageContaining("unexpected");
    assertThatThrownBy(() -> ExpressionParser.parse("  ")).hasMessageContaining("empty");
  }

  @Test
  void parse_stepIdsWithDashes_areNames() {
    assertThat(ExpressionParser.parsePath("steps.fetch-page.output.body[2]").toString())
        .isEqualTo("steps.fetch-page.output.body[2]");
  }

  @Test
  void template_unclosedPlaceholder_fails() {
    assertThatThrownBy(() -> Template.parse("a {{ input.x")).hasMessageContaining("unclosed");
  }

  @Test
  void values_toParts_listIsOnePartPerElement() {
    List<Part> parts = Values.toParts(List.of("a", Map.of("k", 1.0), 2.0));

    assertThat(parts).containsExactly(text("a"), data(Map.of("k", 1.0)), text("2"));
    assertThat(Values.toParts("plain")).containsExactly(text("plain"));
  }
}
