package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubscribersCsvTest {
  @Test
  void readsTheSippInjectionFormat(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("subs.csv");
    Files.writeString(file, "SEQUENTIAL\nalice;[authentication username=alice password=s3cret];+15550100001\n"
        + "\n# a comment\nbob;[authentication username=bob password=pw2];+15550100002\n");
    List<Subscriber> subs = SubscribersCsv.read(file);
    assertEquals(2, subs.size());
    assertEquals("alice", subs.get(0).username());
    assertEquals("s3cret", subs.get(0).password());
    assertEquals("pw2", subs.get(1).password());
  }

  @Test
  void aLineWithoutCredentialsIsAnErrorNamingTheLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.csv");
    Files.writeString(file, "SEQUENTIAL\nalice;+15550100001\n");
    IOException e = assertThrows(IOException.class, () -> SubscribersCsv.read(file));
    assertEquals(true, e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    Durations d = new Durations();
    assertEquals(Duration.ofMillis(500), d.convert("500ms"));
    assertEquals(Duration.ofSeconds(60), d.convert("60s"));
    assertEquals(Duration.ofMinutes(2), d.convert("2m"));
    assertEquals(Duration.ofSeconds(90), d.convert("PT90S"));
    assertThrows(IllegalArgumentException.class, () -> d.convert("5x"));
  }

  @Test
  void sipUriToHostAndPort() {
    assertEquals("127.0.0.1:5080", CallsCommand.hostPortOf("sip:pstn@127.0.0.1:5080"));
    assertEquals("127.0.0.1:5060", CallsCommand.hostPortOf("sip:127.0.0.1;transport=udp"));
  }

  @Test
  void provisionWritesAnInjectionFileOnlyItsOwnerReadsAndThatReadsBack(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("subscribers.csv");
    List<Subscriber> written = List.of(new Subscriber("benchxu0", "p-w_0", "member:bench-x-0"),
        new Subscriber("benchxu1", "p-w_1", "member:bench-x-1"));
    ProvisionCommand.write(file, written, "+15550100001");
    assertEquals("SEQUENTIAL\nbenchxu0;[authentication username=benchxu0 password=p-w_0];+15550100001\n"
        + "benchxu1;[authentication username=benchxu1 password=p-w_1];+15550100001\n", Files.readString(file));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
        "the file holds SIP passwords");
    List<Subscriber> read = SubscribersCsv.read(file);
    assertEquals(List.of("benchxu0", "benchxu1"), read.stream().map(Subscriber::username).toList());
    assertEquals(List.of("p-w_0", "p-w_1"), read.stream().map(Subscriber::password).toList());
  }
}
