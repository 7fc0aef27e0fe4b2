package dev.meshwork.cli.output;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ProtocolMessageEnum;
import dev.meshwork.cli.MeshctlException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Proto enum values as users type and read them: without the type prefix and the {@code
 * _UNSPECIFIED} zero, e.g. {@code RUN_STATE_COMPLETED} is {@code COMPLETED}.
 */
public final class ProtoEnums {

  private ProtoEnums() {}

  /** The short name of {@code value}: {@code COMPLETED} for {@code RUN_STATE_COMPLETED}. */
  public static String shortName(Enum<?> value, String prefix) {
    requireNonNull(value, "value");
    String name = value.name();
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  /**
   * The value named {@code text} (short or full name, any case).
   *
   * @param option the option being parsed, for the error message
   * @throws MeshctlException (usage) naming the accepted values when none matches
   */
  public static <E extends Enum<E> & ProtocolMessageEnum> E parse(
      Class<E> type, String prefix, String text, String option) {
    String wanted = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E value : choices(type, prefix)) {
      if (value.name().equals(wanted) || value.name().equals(prefix + wanted)) {
        return value;
      }
    }
    List<String> names = new ArrayList<>();
    for (E value : choices(type, prefix)) {
      names.add(shortName(value, prefix));
    }
    throw MeshctlException.usage(
        option + ": '" + text + "' (expected one of: " + String.join(", ", names) + ")");
  }

  /** The values users may name: all but {@code UNRECOGNIZED} and the {@code _UNSPECIFIED} zero. */
  private static <E extends Enum<E> & ProtocolMessageEnum> List<E> choices(
      Class<E> type, String prefix) {
    List<E> values = new ArrayList<>();
    for (E value : type.getEnumConstants()) {
      if (!value.name().equals("UNRECOGNIZED") && !value.name().equals(prefix + "UNSPECIFIED")) {
        values.add(value);
      }
    }
    return values;
  }
}
