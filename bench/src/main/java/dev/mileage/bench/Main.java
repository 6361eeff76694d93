package dev.mileage.bench;

import dev.mileage.bench.calls.CallsCommand;
import dev.mileage.bench.calls.ProvisionCommand;
import dev.mileage.bench.calls.TrunkCommand;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bench}: the command-line benchmarks. Each subcommand measures one part of the gateway and writes
 * its figures as JSON ({@code --json FILE}), a human summary on stdout and an HTML report.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "bench 0.1.0",
    description = "Load generators and benchmarks for the mileage call gateway.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  /**
   * The one place where subcommands are registered. Subcommands written on other branches are looked up by
   * class name so this file compiles before they are merged; the integrator may replace an entry by a class
   * literal ({@code LedgerBenchCommand.class}) once it is on the branch.
   */
  static final List<String> SUBCOMMAND_CLASSES = List.of(
      CallsCommand.class.getName(),
      TrunkCommand.class.getName(),
      ProvisionCommand.class.getName(),
      "dev.mileage.bench.ledger.LedgerBenchCommand",
      "dev.mileage.bench.metering.MeteringBenchCommand",
      "dev.mileage.bench.media.MediaBenchCommand");

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with every subcommand found on the class path. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    for (Class<?> type : availableSubcommands()) cli.addSubcommand(type);
    // a setup problem (no gateway jar, an API answer, a bad option) is one clear line and exit code 2
    cli.setExecutionExceptionHandler((ex, line, parsed) -> {
      if (ex instanceof java.io.IOException || ex instanceof IllegalArgumentException) {
        line.getErr().println("bench " + line.getCommandName() + ": " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    return cli;
  }

  static List<Class<?>> availableSubcommands() {
    List<Class<?>> found = new ArrayList<>();
    for (String name : SUBCOMMAND_CLASSES) {
      try {
        found.add(Class.forName(name, false, Main.class.getClassLoader()));
      } catch (ClassNotFoundException notMergedYet) {
        // that benchmark's branch is not merged here: it is simply not offered
      }
    }
    return found;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
