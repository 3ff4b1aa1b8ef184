package com.sparkify.lake.serve;

import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.ParameterContext;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The session's SQL parser (Spark's, with Iceberg's on top), refusing {@code CALL}: Spark 4.1 runs a procedure
 * while it analyzes the statement, before any check of the analyzed plan could refuse it, and Iceberg's
 * procedures rewrite, expire, roll back or remove the lake's files.
 */
final class ReadOnlyParser implements ParserInterface {

    private final ParserInterface delegate;

    ReadOnlyParser(ParserInterface delegate) {
        this.delegate = delegate;
    }

    private static LogicalPlan refuseProcedures(LogicalPlan plan) {
        String name = plan.getClass().getSimpleName();
        if (ServeExtensions.serving() && (name.equals("Call") || name.equals("CallStatement") || name.contains("Procedure"))) {
            throw new ReadOnly.ReadOnlyLakeException("CALL (a stored procedure)");
        }
        if (ServeExtensions.serving()) {
            // Said here, before analysis, where DROP TABLE songplays would fail as "not found" (the lake's tables
            // are no catalog's) rather than as what it is.
            ReadOnly.checkParsed(plan);
        }
        return plan;
    }

    @Override
    public LogicalPlan parsePlan(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return refuseProcedures(delegate.parsePlan(sql));
    }

    @Override
    public LogicalPlan parsePlanWithParameters(String sql, ParameterContext parameters)
            throws org.apache.spark.sql.catalyst.parser.ParseException {
        return refuseProcedures(delegate.parsePlanWithParameters(sql, parameters));
    }

    @Override
    public LogicalPlan parseQuery(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return refuseProcedures(delegate.parseQuery(sql));
    }

    @Override
    public Expression parseExpression(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return delegate.parseExpression(sql);
    }

    @Override
    public TableIdentifier parseTableIdentifier(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return delegate.parseTableIdentifier(sql);
    }

    @Override
    public FunctionIdentifier parseFunctionIdentifier(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return delegate.parseFunctionIdentifier(sql);
    }

    @Override
    public scala.collection.immutable.Seq<String> parseMultipartIdentifier(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return delegate.parseMultipartIdentifier(sql);
    }

    @Override
    public StructType parseRoutineParam(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return delegate.parseRoutineParam(sql);
    }

    @Override
    public StructType parseTableSchema(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return delegate.parseTableSchema(sql);
    }

    @Override
    public DataType parseDataType(String sql) throws org.apache.spark.sql.catalyst.parser.ParseException {
        return delegate.parseDataType(sql);
    }
}
