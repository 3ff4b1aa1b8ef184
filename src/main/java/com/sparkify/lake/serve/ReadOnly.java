package com.sparkify.lake.serve;

import java.util.Set;
import java.util.regex.Pattern;

import org.apache.spark.sql.catalyst.analysis.PersistedView$;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.command.CreateViewCommand;

/**
 * What a client of {@code serve} may run: queries, and what changes only its own session (temporary views,
 * settings, variables, the cache). Anything that would write files, change a table or the catalog is refused,
 * whether it came as SQL or through the DataFrame API: both reach the server as a plan, checked here after
 * analysis and before it runs. Iceberg's {@code CALL} procedures run during analysis itself, so the parser
 * refuses them ({@link ReadOnlyParser}).
 */
final class ReadOnly {

    /** Commands that read, describe, or change only the asking session (names as Spark 4.1's plans have them). */
    private static final Set<String> ALLOWED = Set.of(
            "SetCommand", "ResetCommand", "SetCatalogAndNamespace", "SetNamespaceCommand", "SetCatalogCommand",
            "ShowTables", "ShowTablesExtended", "ShowTablesCommand", "ShowViews", "ShowViewsCommand",
            "ShowNamespaces", "ShowNamespacesCommand", "ShowColumns", "ShowColumnsCommand", "ShowFunctions",
            "ShowFunctionsCommand", "ShowCatalogsCommand", "ShowCatalogs", "ShowCurrentNamespaceCommand", "ShowCurrentNamespace",
            "DescribeRelation", "DescribeColumn", "DescribeNamespace", "DescribeFunction", "DescribeTableCommand",
            "DescribeColumnCommand", "DescribeFunctionCommand", "DescribeNamespaceCommand", "DescribeQueryCommand",
            "ShowTableProperties", "ShowTablePropertiesCommand", "ShowCreateTable", "ShowCreateTableCommand",
            "ShowPartitions", "ShowPartitionsCommand", "ExplainCommand", "DropTempViewCommand",
            "CreateTempViewUsing", "CacheTable", "CacheTableAsSelect", "CacheTableCommand", "UncacheTable",
            "UncacheTableCommand", "ClearCacheCommand", "CreateVariable", "DropVariable", "SetVariable");

    /** Plans that write, whatever they are called in a later Spark: refused even if not a Command. */
    private static final Pattern WRITES = Pattern.compile(
            "InsertInto.*|.*Write.*|AppendData|Overwrite.*|MergeIntoTable|DeleteFromTable|UpdateTable|ReplaceData"
                    + "|.*AsSelect.*|Call|.*Procedure.*");

    private ReadOnly() {
    }

    /** Throws, naming the operation, when the analyzed plan would change anything beyond the client's session. */
    static void check(LogicalPlan plan) {
        check(plan, false);
    }

    /**
     * As {@link #check(LogicalPlan)}, for a statement as parsed: {@code DROP VIEW} passes there, since only its
     * analysis tells a temporary view (the client's, DropTempViewCommand) from a catalog's (refused then).
     */
    static void checkParsed(LogicalPlan plan) {
        check(plan, true);
    }

    private static void check(LogicalPlan plan, boolean parsed) {
        plan.foreach(node -> {
            String refused = parsed && node.getClass().getSimpleName().equals("DropView") ? null : refusal(node);
            if (refused != null) {
                throw new ReadOnlyLakeException(refused);
            }
            return scala.runtime.BoxedUnit.UNIT;
        });
    }

    /** The operation a node would run that the lake refuses, or null. */
    static String refusal(LogicalPlan node) {
        String name = node.getClass().getSimpleName();
        if (node instanceof CreateViewCommand view) {
            return view.viewType() == PersistedView$.MODULE$ ? "CREATE VIEW (a view in the catalog)" : null;
        }
        if (ALLOWED.contains(name) && !name.matches(".*AsSelect.*") || name.equals("CacheTableAsSelect")) {
            return null;
        }
        if (node instanceof Command || WRITES.matcher(name).matches()) {
            return name;
        }
        return null;
    }

    /** The message a client sees: what was refused, and why. */
    static final class ReadOnlyLakeException extends UnsupportedOperationException {

        ReadOnlyLakeException(String operation) {
            super("sparkify-lake serve is read-only: " + operation + " would change the lake or its catalog, "
                    + "which only an etl run does (after its checks). Queries, temporary views and session "
                    + "settings are allowed.");
        }
    }
}
