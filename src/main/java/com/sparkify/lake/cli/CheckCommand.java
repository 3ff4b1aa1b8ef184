package com.sparkify.lake.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.quality.Checks;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Runs the data-quality checks on a lake, one line per check.",
            "Exits 0 only when every check passes."})
final class CheckCommand implements Callable<Integer> {

    @Mixin
    LakeSource lake;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        if (lake.remote()) {
            // The server gives the tables, not the files beside them: the rules run on its tables, and the row
            // counts, which the run summary beside the lake's files records, are left to a check with --lake.
            return Sessions.withRemote(lake.remote, config.config(), spark -> {
                System.out.println("SKIP  row counts against the run summary: a server serves the tables, not "
                        + "the lake's _run/summary.json; check with --lake where the lake is for those");
                return report(new Checks(spark::table).run(Map.of()));
            });
        }
        return Sessions.withSpark(config.settings(), spark -> {
            Map<String, Long> expected = LakeTables.rowsAsBuilt(spark, lake.lake, config.config());
            if (expected.isEmpty()) {
                System.out.println("SKIP  row counts against the run summary: " + lake.lake
                        + "/_run/summary.json is missing");
            }
            return report(Checks.onLake(spark, lake.lake, config.config()).run(expected));
        });
    }

    /** One line per check, then the tally; 0 only when every check passed. */
    private static int report(List<Checks.Result> results) {
        results.forEach(result -> System.out.println(result.line()));
        long failed = results.stream().filter(r -> !r.passed()).count();
        System.out.println(failed == 0 ? "All " + results.size() + " checks passed."
                : failed + " of " + results.size() + " checks failed.");
        return failed == 0 ? 0 : SparkifyLake.FAILED;
    }
}
