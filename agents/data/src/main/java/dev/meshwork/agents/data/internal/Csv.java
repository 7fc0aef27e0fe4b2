package dev.meshwork.agents.data.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 CSV reader: quoted fields (with doubled quotes inside), line breaks inside
 * quotes, CRLF or LF line ends. The delimiter (comma, semicolon or tab) is the one the header line
 * uses most.
 */
final class Csv {

  private Csv() {}

  /**
   * The records of {@code text}, first the header.
   *
   * @throws IllegalArgumentException for an unterminated quote, naming the line
   */
  static List<List<String>> parse(String text) {
    char delimiter = detectDelimiter(text);
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean fieldStarted = false;
    int line = 1;
    int quoteLine = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') {
            line++;
          }
          field.append(c);
        }
        continue;
      }
      if (c == '"' && !fieldStarted) {
        quoted = true;
        fieldStarted = true;
        quoteLine = line;
      } else if (c == delimiter) {
        record.add(field.toString());
        field.setLength(0);
        fieldStarted = false;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        line++;
        endRecord(records, record, field);
        record = new ArrayList<>();
        fieldStarted = false;
      } else {
        field.append(c);
        fieldStarted = true;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quote opened on line " + quoteLine);
    }
    endRecord(records, record, field);
    return records;
  }

  private static void endRecord(
      List<List<String>> records, List<String> record, StringBuilder field) {
    record.add(field.toString());
    field.setLength(0);
    boolean blank = record.size() == 1 && record.get(0).isBlank();
    if (!blank) {
      records.add(record);
    }
  }

  private static char detectDelimiter(String text) {
    int end = text.indexOf('\n');
    String header = end < 0 ? text : text.substring(0, end);
    char best = ',';
    long bestCount = header.chars().filter(c -> c == ',').count();
    for (char candidate : new char[] {';', '\t'}) {
      long count = header.chars().filter(c -> c == candidate).count();
      if (count > bestCount) {
        best = candidate;
        bestCount = count;
      }
    }
    return best;
  }
}
