package dev.mileage.points.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the data lives: an embedded PostgreSQL in a data folder (the default, so one command runs the
 * whole product on a fresh machine) or an external server named by a {@code postgres://} URL.
 *
 * <p>Schema changes are versioned Flyway migrations, one PostgreSQL schema per feature
 * ({@code classpath:db/<schema>}), each with its own history table, so features migrate independently.
 * Migration is blocking and runs once at start, before anything serves traffic.
 */
public final class Database implements AutoCloseable {

  /** How to reach the server; {@code password} may be empty. */
  public record ConnectionInfo(String host, int port, String database, String user, String password) {
    public ConnectionInfo {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(database, "database");
      Objects.requireNonNull(user, "user");
      password = password == null ? "" : password;
      if (port <= 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The options of Vert.x's PostgreSQL client for this server. */
    public io.vertx.pgclient.PgConnectOptions pgOptions() {
      return new io.vertx.pgclient.PgConnectOptions().setHost(host).setPort(port).setDatabase(database).setUser(user)
          .setPassword(password);
    }

    /** A pool of at most {@code connectionsMax} connections to this server; the caller closes it. */
    public io.vertx.sqlclient.Pool pool(io.vertx.core.Vertx vertx, int connectionsMax) {
      return io.vertx.pgclient.PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(connectionsMax))
          .connectingTo(pgOptions()).using(vertx).build();
    }

    /** Never prints the password. */
    @Override
    public String toString() {
      return "postgres://" + user + "@" + host + ":" + port + "/" + database;
    }
  }

  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  private static final Duration STALE_SERVER_STOP_WAIT = Duration.ofSeconds(15);

  private final ConnectionInfo connection;
  private final EmbeddedPostgres embedded;

  private Database(ConnectionInfo connection, EmbeddedPostgres embedded) {
    this.connection = connection;
    this.embedded = embedded;
  }

  /**
   * Starts (or restarts) a real PostgreSQL whose files live in {@code dataDir/pg}. The folder survives
   * restarts. Commits are durable: fsync and synchronous_commit are on, whatever the library's defaults.
   */
  public static Database embedded(Path dataDir) throws IOException {
    return embedded(dataDir, 0);
  }

  /**
   * As {@link #embedded(Path)} on a given port (0: any free one). A fixed port lets a test stop the
   * server and start it again under clients that keep their address.
   */
  public static Database embedded(Path dataDir, int port) throws IOException {
    Path pgData = dataDir.resolve("pg");
    Files.createDirectories(pgData);
    stopOrphanedServer(pgData);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (port != 0) builder.setPort(port);
    EmbeddedPostgres pg = builder
        .setDataDirectory(pgData)
        .setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(dataDir.resolve("pg-binaries").toFile())
        .setPGStartupWait(STARTUP_WAIT)
        // the library starts postgres with -F (fsync off) and synchronous_commit=off: a ledger must not
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        // Write-heavy tuning that keeps every commit durable: checkpoints come from the clock, not from a
        // small WAL budget (each checkpoint makes the next write of every page a full-page image, which
        // showed as commit latency spikes), and full-page images are compressed.
        .setServerConfig("max_wal_size", "4GB")
        .setServerConfig("checkpoint_timeout", "15min")
        .setServerConfig("wal_compression", "on")
        .setServerConfig("shared_buffers", "256MB")
        .setServerConfig("max_connections", "200")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .start();
    return new Database(new ConnectionInfo("127.0.0.1", pg.getPort(), "postgres", "postgres", ""), pg);
  }

  /** An external server: {@code postgres://user:password@host:port/database} (also {@code postgresql://}). */
  public static Database external(String databaseUrl) {
    return new Database(parseUrl(databaseUrl), null);
  }

  static ConnectionInfo parseUrl(String databaseUrl) {
    URI uri = URI.create(Objects.requireNonNull(databaseUrl, "databaseUrl"));
    if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme())) {
      throw new IllegalArgumentException("database URL must start with postgres:// or postgresql://");
    }
    if (uri.getHost() == null) throw new IllegalArgumentException("database URL has no host");
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      if (parts.length == 2) password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String database = path.length() > 1 ? path.substring(1) : "postgres";
    return new ConnectionInfo(uri.getHost(), uri.getPort() == -1 ? 5432 : uri.getPort(), database, user, password);
  }

  public ConnectionInfo connection() {
    return connection;
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  /** Applies the pending migrations under {@code classpath:db/<schema>} to the schema of that name. */
  public int migrate(String schema) {
    if (!schema.matches("[a-z][a-z0-9_]{0,30}")) throw new IllegalArgumentException("bad schema name: " + schema);
    return Flyway.configure(Database.class.getClassLoader())
        .dataSource(connection.jdbcUrl(), connection.user(), connection.password())
        .schemas(schema)
        .defaultSchema(schema)
        .createSchemas(true)
        .table("schema_history")
        .locations("classpath:db/" + schema)
        .load()
        .migrate()
        .migrationsExecuted;
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) embedded.close();
  }

  /**
   * A gateway killed with SIGKILL leaves its embedded postmaster running on the data folder; the new
   * one cannot start beside it. The folder is ours, so the server in it is too: stop it, then start.
   */
  private static void stopOrphanedServer(Path pgData) throws IOException {
    Path pidFile = pgData.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return;
    Optional<ProcessHandle> server = Files.readAllLines(pidFile).stream().findFirst()
        .map(String::trim).filter(s -> s.matches("\\d+")).map(Long::parseLong).flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(true));
    if (server.isEmpty()) return;
    ProcessHandle process = server.get();
    process.destroy(); // SIGTERM: smart shutdown; connections from the dead JVM are already gone
    long deadline = System.nanoTime() + STALE_SERVER_STOP_WAIT.toNanos();
    while (process.isAlive() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while stopping the orphaned server", e);
      }
    }
    if (process.isAlive()) process.destroyForcibly();
  }
}
