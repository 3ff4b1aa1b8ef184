package com.sparkify.lake.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.SparkSqlParser;
import org.junit.jupiter.api.Test;

/** Which statements serve refuses, as Spark's parser gives them (the check the parser applies; no Spark runs). */
class ReadOnlyTest {

    private static final SparkSqlParser PARSER = new SparkSqlParser();

    @Test
    void statementsThatChangeTheLakeOrACatalogAreRefused() {
        for (String statement : List.of("DROP TABLE songplays", "INSERT INTO songplays SELECT * FROM songplays",
                "INSERT OVERWRITE DIRECTORY '/tmp/x' USING parquet SELECT * FROM users",
                "CREATE TABLE t AS SELECT * FROM users", "CREATE TABLE t (id INT)", "CREATE VIEW v AS SELECT 1",
                "ALTER TABLE users RENAME TO people", "DELETE FROM users WHERE user_id = 1",
                "UPDATE users SET level = 'paid'", "TRUNCATE TABLE users", "ANALYZE TABLE users COMPUTE STATISTICS",
                "ADD JAR /tmp/x.jar", "CREATE DATABASE other",
                "MERGE INTO users u USING users n ON u.user_id = n.user_id WHEN MATCHED THEN DELETE")) {
            assertNotNull(refused(statement), statement + " was let through");
        }
    }

    @Test
    void queriesAndTheClientsOwnSessionStateAreAllowed() {
        for (String statement : List.of("SELECT count(*) FROM songplays",
                "WITH p AS (SELECT * FROM songplays) SELECT level, count(*) FROM p GROUP BY level",
                "SET spark.sql.shuffle.partitions = 3", "RESET", "CREATE TEMP VIEW mine AS SELECT * FROM users",
                "CREATE OR REPLACE TEMPORARY VIEW mine AS SELECT 1",
                "CACHE TABLE hot AS SELECT * FROM users", "UNCACHE TABLE IF EXISTS hot", "SHOW TABLES",
                "DESCRIBE QUERY SELECT * FROM users", "EXPLAIN SELECT * FROM users", "DECLARE VARIABLE x INT")) {
            assertEquals(null, refused(statement), statement + " was refused");
        }
    }

    @Test
    void dropViewWaitsForAnalysisWhichTellsATemporaryViewFromACatalogs() {
        LogicalPlan drop = PARSER.parsePlan("DROP VIEW IF EXISTS mine");
        ReadOnly.checkParsed(drop);
        org.junit.jupiter.api.Assertions.assertThrows(ReadOnly.ReadOnlyLakeException.class, () -> ReadOnly.check(drop));
    }

    /** The first operation of the parsed statement that serve refuses, or null. */
    private static String refused(String statement) {
        LogicalPlan plan = PARSER.parsePlan(statement);
        List<String> refusals = new ArrayList<>();
        plan.foreach(node -> {
            String refusal = ReadOnly.refusal(node);
            if (refusal != null) {
                refusals.add(refusal);
            }
            return scala.runtime.BoxedUnit.UNIT;
        });
        return refusals.isEmpty() ? null : refusals.get(0);
    }
}
