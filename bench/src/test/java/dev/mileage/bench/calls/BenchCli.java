package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mileage.bench.Main;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs a bench command line in-process, as {@code java -jar bench.jar} would, and reads back its JSON report. */
final class BenchCli {
  private BenchCli() {
  }

  /** Runs {@code args} with {@code --json} in {@code dir}; the exit code must be 0 (else the error output fails it). */
  static JsonObject json(Path dir, String... args) throws Exception {
    Path json = dir.resolve("report-" + System.nanoTime() + ".json");
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--json";
    all[args.length + 1] = json.toString();
    assertEquals(0, cli.execute(all), err.toString());
    return new JsonObject(Files.readString(json));
  }
}
