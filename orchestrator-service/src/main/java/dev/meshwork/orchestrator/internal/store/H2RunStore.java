package dev.meshwork.orchestrator.internal.store;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.Page;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.RunStore;
import dev.meshwork.orchestrator.internal.ProtoTime;
import dev.meshwork.orchestrator.internal.RunStates;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The embedded {@link RunStore}: an H2 database (a file under the data directory, or in memory for
 * tests) accessed with plain JDBC. Runs are stored as their serialized {@code Run} message plus the
 * columns queries filter on; events as serialized {@code RunEvent}s keyed by (run, sequence), so a
 * duplicate sequence cannot be written.
 *
 * <p>Commits are durable when they return: the database is opened with {@code WRITE_DELAY=0}, so a
 * killed process loses nothing it acknowledged.
 */
public final class H2RunStore implements RunStore {

  private static final int MAX_CONNECTIONS = 16;

  /** Every statement here stays parsed in each session (H2 keeps 8 by default). */
  private static final String SESSION_OPTIONS = ";QUERY_CACHE_SIZE=64";

  private static final String SCHEMA =
      """
      CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR(64) PRIMARY KEY,
        workflow_name VARCHAR(128) NOT NULL,
        state INT NOT NULL,
        terminal BOOLEAN NOT NULL,
        idempotency_key VARCHAR(512) UNIQUE,
        create_micros BIGINT NOT NULL,
        last_sequence BIGINT NOT NULL,
        run VARBINARY NOT NULL
      );
      CREATE INDEX IF NOT EXISTS runs_by_time ON runs (create_micros DESC, run_id DESC);
      CREATE INDEX IF NOT EXISTS runs_by_terminal ON runs (terminal);
      CREATE TABLE IF NOT EXISTS run_labels (
        run_id VARCHAR(64) NOT NULL,
        label_key VARCHAR(256) NOT NULL,
        label_value VARCHAR(1024) NOT NULL,
        PRIMARY KEY (run_id, label_key)
      );
      CREATE TABLE IF NOT EXISTS run_events (
        run_id VARCHAR(64) NOT NULL,
        sequence BIGINT NOT NULL,
        event VARBINARY NOT NULL,
        PRIMARY KEY (run_id, sequence)
      );
      CREATE TABLE IF NOT EXISTS workflows (
        name VARCHAR(128) NOT NULL,
        version INT NOT NULL,
        spec VARBINARY NOT NULL,
        PRIMARY KEY (name, version)
      );
      """;

  private final JdbcConnectionPool pool;

  private H2RunStore(String url) {
    this.pool = JdbcConnectionPool.create(url, "meshwork", "");
    pool.setMaxConnections(MAX_CONNECTIONS);
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute(SCHEMA);
    } catch (SQLException e) {
      pool.dispose();
      throw new IllegalStateException("cannot open the run store at " + url + ": " + e, e);
    }
  }

  /** Opens (creating if needed) the file database {@code <dir>/runs}. */
  public static H2RunStore openFile(Path dir) {
    requireNonNull(dir, "dir");
    return new H2RunStore(
        "jdbc:h2:file:"
            + dir.toAbsolutePath().resolve("runs")
            + ";WRITE_DELAY=0"
            + SESSION_OPTIONS);
  }

  /** A private in-memory database, gone when closed (tests). */
  public static H2RunStore inMemory(String name) {
    return new H2RunStore(
        "jdbc:h2:mem:" + requireNonNull(name, "name") + ";DB_CLOSE_DELAY=-1" + SESSION_OPTIONS);
  }

  @Override
  public Created create(Run run, List<RunEvent> events) {
    return write(new Batch(List.of(new Write(run, events)), List.of())).get(0);
  }

  @Override
  public void append(Run run, List<RunEvent> events) {
    write(new Batch(List.of(), List.of(new Write(run, events))));
  }

  @Override
  public List<Created> write(Batch batch) {
    for (Write w : batch.creates()) {
      checkSequence(w.run(), w.events(), 1);
    }
    for (Write w : batch.appends()) {
      checkSequence(w.run(), w.events(), firstSequence(w));
    }
    boolean alone = batch.creates().size() == 1 && batch.appends().isEmpty();
    return transaction(
        c -> {
          List<Created> created = new ArrayList<>(batch.creates().size());
          for (Write w : batch.creates()) {
            created.add(createIn(c, w.run(), w.events(), alone));
          }
          for (Write w : batch.appends()) {
            appendIn(c, w.run(), w.events(), firstSequence(w));
          }
          return created;
        });
  }

  /**
   * Inserts a run unless its idempotency key is taken.
   *
   * @param alone the only write of its transaction: a lost race for the key may then be answered by
   *     rolling back (in a batch that would undo the others; the batch fails instead and its writes
   *     are retried one by one)
   */
  private static Created createIn(Connection c, Run run, List<RunEvent> events, boolean alone)
      throws SQLException {
    if (!run.getIdempotencyKey().isEmpty()) {
      Optional<Run> existing = byKey(c, run.getIdempotencyKey());
      if (existing.isPresent()) {
        return new Created(existing.get(), true);
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO runs (run_id, workflow_name, state, terminal, idempotency_key,"
                + " create_micros, last_sequence, run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, run.getRunId());
      ps.setString(2, run.getWorkflow().getName());
      ps.setInt(3, run.getStateValue());
      ps.setBoolean(4, RunStates.isTerminal(run.getState()));
      ps.setString(5, run.getIdempotencyKey().isEmpty() ? null : run.getIdempotencyKey());
      ps.setLong(6, micros(run));
      ps.setLong(7, run.getLastSequence());
      ps.setBytes(8, run.toByteArray());
      ps.executeUpdate();
    } catch (SQLException e) {
      if (alone && isUniqueViolation(e) && !run.getIdempotencyKey().isEmpty()) {
        // Another StartRun with the same key won the race; it is committed, answer with it.
        c.rollback();
        Optional<Run> existing = byKey(c, run.getIdempotencyKey());
        if (existing.isPresent()) {
          return new Created(existing.get(), true);
        }
      }
      throw e;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO run_labels (run_id, label_key, label_value) VALUES (?, ?, ?)")) {
      for (Map.Entry<String, String> label : run.getLabelsMap().entrySet()) {
        ps.setString(1, run.getRunId());
        ps.setString(2, label.getKey());
        ps.setString(3, label.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    insertEvents(c, run.getRunId(), events);
    return new Created(run, false);
  }

  private static long firstSequence(Write a) {
    return a.events().isEmpty() ? a.run().getLastSequence() + 1 : a.events().get(0).getSequence();
  }

  private static void appendIn(Connection c, Run run, List<RunEvent> events, long first)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE runs SET state = ?, terminal = ?, last_sequence = ?, run = ?"
                + " WHERE run_id = ? AND last_sequence = ?")) {
      ps.setInt(1, run.getStateValue());
      ps.setBoolean(2, RunStates.isTerminal(run.getState()));
      ps.setLong(3, run.getLastSequence());
      ps.setBytes(4, run.toByteArray());
      ps.setString(5, run.getRunId());
      ps.setLong(6, first - 1);
      if (ps.executeUpdate() == 0) {
        if (get(c, run.getRunId()).isEmpty()) {
          throw MeshException.notFound("run", run.getRunId());
        }
        throw MeshException.of(
            ErrorCode.ABORTED,
            "SEQUENCE_CONFLICT",
            "run '"
                + run.getRunId()
                + "': events from "
                + first
                + " do not follow the stored last sequence");
      }
    }
    insertEvents(c, run.getRunId(), events);
  }

  @Override
  public Optional<Run> get(String runId) {
    return transaction(c -> get(c, runId));
  }

  @Override
  public Optional<Run> findByIdempotencyKey(String idempotencyKey) {
    return transaction(c -> byKey(c, idempotencyKey));
  }

  @Override
  public Page<Run> list(RunFilter filter, int pageSize, String pageToken) {
    StringBuilder sql = new StringBuilder("SELECT r.run, r.create_micros FROM runs r WHERE 1=1");
    List<Object> params = new ArrayList<>();
    if (!filter.states().isEmpty()) {
      sql.append(" AND r.state IN (");
      String sep = "";
      for (RunState state : filter.states()) {
        sql.append(sep).append('?');
        params.add(state.getNumber());
        sep = ", ";
      }
      sql.append(')');
    }
    if (!filter.workflowName().isEmpty()) {
      sql.append(" AND r.workflow_name = ?");
      params.add(filter.workflowName());
    }
    for (Map.Entry<String, String> label : filter.labels().entrySet()) {
      sql.append(
          " AND EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.run_id"
              + " AND l.label_key = ? AND l.label_value = ?)");
      params.add(label.getKey());
      params.add(label.getValue());
    }
    if (!pageToken.isEmpty()) {
      String key = PageTokens.decode(pageToken);
      int colon = key.indexOf(':');
      long micros;
      try {
        micros = Long.parseLong(key.substring(0, Math.max(colon, 0)));
      } catch (NumberFormatException e) {
        throw MeshException.invalidArgument(
            "page_token", "'" + pageToken + "' (expected: a next_page_token)");
      }
      sql.append(" AND (r.create_micros < ? OR (r.create_micros = ? AND r.run_id < ?))");
      params.add(micros);
      params.add(micros);
      params.add(key.substring(colon + 1));
    }
    sql.append(" ORDER BY r.create_micros DESC, r.run_id DESC LIMIT ?");
    params.add(pageSize + 1);
    return transaction(
        c -> {
          List<Run> runs = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
              ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                runs.add(parseRun(rs.getBytes(1)));
              }
            }
          }
          if (runs.size() <= pageSize) {
            return new Page<>(runs, "");
          }
          Run last = runs.get(pageSize - 1);
          return new Page<>(
              runs.subList(0, pageSize), PageTokens.encode(micros(last) + ":" + last.getRunId()));
        });
  }

  @Override
  public List<RunEvent> eventsAfter(String runId, long afterSequence, int limit) {
    return transaction(
        c -> {
          List<RunEvent> events = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT event FROM run_events WHERE run_id = ? AND sequence > ?"
                      + " ORDER BY sequence LIMIT ?")) {
            ps.setString(1, runId);
            ps.setLong(2, afterSequence);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                events.add(RunEvent.parseFrom(rs.getBytes(1)));
              }
            }
          }
          return events;
        });
  }

  @Override
  public List<Run> nonTerminal() {
    return transaction(
        c -> {
          List<Run> runs = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT run FROM runs WHERE terminal = FALSE ORDER BY create_micros, run_id")) {
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                runs.add(parseRun(rs.getBytes(1)));
              }
            }
          }
          return runs;
        });
  }

  @Override
  public WorkflowSpec putWorkflow(WorkflowSpec spec) {
    for (int tries = 0; ; tries++) {
      try {
        return transaction(
            c -> {
              int version = 1;
              try (PreparedStatement ps =
                  c.prepareStatement("SELECT MAX(version) FROM workflows WHERE name = ?")) {
                ps.setString(1, spec.getName());
                try (ResultSet rs = ps.executeQuery()) {
                  if (rs.next()) {
                    version = rs.getInt(1) + 1;
                  }
                }
              }
              WorkflowSpec stored = spec.toBuilder().setVersion(version).build();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO workflows (name, version, spec) VALUES (?, ?, ?)")) {
                ps.setString(1, stored.getName());
                ps.setInt(2, version);
                ps.setBytes(3, stored.toByteArray());
                ps.executeUpdate();
              }
              return stored;
            });
      } catch (MeshException e) {
        // Two puts of the same name raced for a version; the loser takes the next one.
        if (e.code() != ErrorCode.ABORTED || tries >= 5) {
          throw e;
        }
      }
    }
  }

  @Override
  public Optional<WorkflowSpec> getWorkflow(String name, int version) {
    String sql =
        version == 0
            ? "SELECT spec FROM workflows WHERE name = ? ORDER BY version DESC LIMIT 1"
            : "SELECT spec FROM workflows WHERE name = ? AND version = ?";
    return transaction(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            if (version != 0) {
              ps.setInt(2, version);
            }
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(WorkflowSpec.parseFrom(rs.getBytes(1)))
                  : Optional.empty();
            }
          }
        });
  }

  @Override
  public Page<WorkflowSpec> listWorkflows(int pageSize, String pageToken) {
    String after = pageToken.isEmpty() ? "" : PageTokens.decode(pageToken);
    return transaction(
        c -> {
          List<WorkflowSpec> specs = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT w.spec FROM workflows w WHERE w.name > ? AND w.version ="
                      + " (SELECT MAX(v.version) FROM workflows v WHERE v.name = w.name)"
                      + " ORDER BY w.name LIMIT ?")) {
            ps.setString(1, after);
            ps.setInt(2, pageSize + 1);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                specs.add(WorkflowSpec.parseFrom(rs.getBytes(1)));
              }
            }
          }
          if (specs.size() <= pageSize) {
            return new Page<>(specs, "");
          }
          return new Page<>(
              specs.subList(0, pageSize), PageTokens.encode(specs.get(pageSize - 1).getName()));
        });
  }

  @Override
  public void close() {
    pool.dispose();
  }

  private static void checkSequence(Run run, List<RunEvent> events, long first) {
    for (int i = 0; i < events.size(); i++) {
      RunEvent event = events.get(i);
      if (event.getSequence() != first + i || !event.getRunId().equals(run.getRunId())) {
        throw new IllegalArgumentException(
            "events["
                + i
                + "]: run '"
                + event.getRunId()
                + "' sequence "
                + event.getSequence()
                + " (expected: run '"
                + run.getRunId()
                + "' sequence "
                + (first + i)
                + ")");
      }
    }
    long last = events.isEmpty() ? first - 1 : events.get(events.size() - 1).getSequence();
    if (run.getLastSequence() != last) {
      throw new IllegalArgumentException(
          "run.last_sequence: " + run.getLastSequence() + " (expected: " + last + ")");
    }
  }

  private static void insertEvents(Connection c, String runId, List<RunEvent> events)
      throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO run_events (run_id, sequence, event) VALUES (?, ?, ?)")) {
      for (RunEvent event : events) {
        ps.setString(1, runId);
        ps.setLong(2, event.getSequence());
        ps.setBytes(3, event.toByteArray());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static Optional<Run> get(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT run FROM runs WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(parseRun(rs.getBytes(1))) : Optional.empty();
      }
    }
  }

  private static Optional<Run> byKey(Connection c, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT run FROM runs WHERE idempotency_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(parseRun(rs.getBytes(1))) : Optional.empty();
      }
    }
  }

  private static Run parseRun(byte[] bytes) throws SQLException {
    try {
      return Run.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new SQLException("corrupt run record", e);
    }
  }

  private static long micros(Run run) {
    return ProtoTime.toInstant(run.getCreateTime()).toEpochMilli() * 1000
        + run.getCreateTime().getNanos() / 1000 % 1000;
  }

  private static boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  /** Work inside one transaction. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException, InvalidProtocolBufferException;
  }

  private <T> T transaction(Work<T> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | InvalidProtocolBufferException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if (isUniqueViolation(e)) {
        throw MeshException.of(ErrorCode.ABORTED, "CONFLICT", "concurrent write: " + e, e);
      }
      throw MeshException.of(ErrorCode.INTERNAL, "STORE_FAILURE", "run store failure: " + e, e);
    } catch (InvalidProtocolBufferException e) {
      throw MeshException.of(ErrorCode.INTERNAL, "STORE_FAILURE", "corrupt record: " + e, e);
    }
  }
}
