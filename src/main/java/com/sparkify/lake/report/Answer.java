package com.sparkify.lake.report;

import java.util.List;
import java.util.Map;

import com.sparkify.lake.analytics.QueryCatalog;

/**
 * A named query's answer as the report holds it: its columns and rows (dates as ISO text, numbers as numbers).
 *
 * @param more whether the query had more rows than the report keeps
 */
record Answer(QueryCatalog.Query query, List<String> columns, List<Map<String, Object>> rows, boolean more) {
}
