package dev.mileage.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  @Test
  void helpListsTheSubcommandsOnTheClassPath() {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("--help"));
    assertTrue(out.toString().contains("calls"), out.toString());
    assertTrue(out.toString().contains("trunk"), out.toString());
    for (String name : cli.getSubcommands().keySet()) {
      assertTrue(name.equals("help") || Main.SUBCOMMAND_CLASSES.stream().anyMatch(c -> c.toLowerCase().contains(name)),
          "registered only from the list: " + name);
    }
  }

  @Test
  void setupErrorsAreOneLineAndExitCode2() {
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("calls", "--direct", "--trunk", "sip:pstn@127.0.0.1:5080", "--transport", "sctp");
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("bench calls: "), err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
  }
}
