package dev.mileage.points.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseTest {

  @Test
  void embeddedServerIsDurableMigratesOnceAndKeepsDataAcrossRestarts(@TempDir Path dataDir) throws Exception {
    try (Database db = Database.embedded(dataDir)) {
      assertTrue(db.isEmbedded());
      assertEquals(1, db.migrate("dbtest"));
      assertEquals(0, db.migrate("dbtest"), "a second start applies nothing");
      try (var c = DriverManager.getConnection(db.connection().jdbcUrl(), db.connection().user(), "")) {
        assertEquals("on", show(c, "fsync"));
        assertEquals("on", show(c, "synchronous_commit"));
        c.createStatement().execute("INSERT INTO dbtest.probe VALUES (1, 'kept')");
      }
    }
    try (Database db = Database.embedded(dataDir)) {
      assertEquals(0, db.migrate("dbtest"));
      try (var c = DriverManager.getConnection(db.connection().jdbcUrl(), db.connection().user(), "")) {
        ResultSet rs = c.createStatement().executeQuery("SELECT note FROM dbtest.probe WHERE id = 1");
        assertTrue(rs.next());
        assertEquals("kept", rs.getString(1));
      }
    }
  }

  @Test
  void parsesDatabaseUrlsAndRefusesOthers() {
    var info = Database.parseUrl("postgres://app:s%40cret@db.local:6543/points");
    assertEquals("app", info.user());
    assertEquals("s@cret", info.password());
    assertEquals(6543, info.port());
    assertEquals("points", info.database());
    assertFalse(info.toString().contains("s@cret"), "the password never appears in logs");
    assertEquals(5432, Database.parseUrl("postgresql://h/d").port());
    assertThrows(IllegalArgumentException.class, () -> Database.parseUrl("mysql://h/d"));
    assertThrows(IllegalArgumentException.class, () -> Database.parseUrl("postgres:///d"));
  }

  @Test
  void refusesSchemaNamesThatAreNotIdentifiers(@TempDir Path dataDir) {
    Database db = Database.external("postgres://u@127.0.0.1:1/x");
    assertThrows(IllegalArgumentException.class, () -> db.migrate("x; drop"));
  }

  private static String show(java.sql.Connection c, String setting) throws Exception {
    ResultSet rs = c.createStatement().executeQuery("SHOW " + setting);
    rs.next();
    return rs.getString(1);
  }
}
