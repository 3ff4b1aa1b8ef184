package com.sparkify.lake.report;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The analytics team's questions as the report draws them: which named query, how many of its rows, and the
 * chart. The numbers are the query's own answer, unchanged, so the report and {@code query} cannot disagree.
 */
final class Questions {

    /** Rows kept of a ranking: a chart of more bars than this is not read. */
    static final int TOP = 10;

    /** Rows kept of any other answer (hours, days): all of them on any lake Sparkify has, and a bound. */
    static final int ALL = 1000;

    /**
     * @param rows        how many rows of the answer the report keeps
     * @param ranksMatched what the answer ranks among the plays matched to the catalog ("song"), since a play
     *                     without a song_id has no song or artist to rank; null for an answer of all plays
     */
    record Question(String query, int rows, Function<Answer, Chart> chart, String ranksMatched) {

        Question(String query, int rows, Function<Answer, Chart> chart) {
            this(query, rows, chart, null);
        }

        boolean matchedOnly() {
            return ranksMatched != null;
        }
    }

    static final List<Question> LIST = List.of(
            new Question("plays-by-hour", ALL, a -> Chart.of("plays-by-hour", "Plays by hour of the day (UTC)", "bar",
                    false, a.rows(), r -> String.format("%02d", ((Number) r.get("hour")).intValue()), "plays", "plays")),
            new Question("plays-by-weekday", ALL, a -> Chart.of("plays-by-weekday", "Plays by day of the week (UTC)",
                    "bar", false, a.rows(), r -> (String) r.get("day_name"), "plays", "plays")),
            new Question("plays-by-day", ALL, a -> Chart.of("plays-by-day", "Plays per day (UTC)", "line", false,
                    a.rows(), r -> (String) r.get("day"), "plays", "plays")),
            new Question("daily-active-users", ALL, a -> Chart.of("daily-active-users", "Daily active users (UTC)",
                    "line", false, a.rows(), r -> (String) r.get("day"), "users", "users")),
            new Question("level-share", ALL, a -> Chart.of("level-share", "Free and paid plays", "doughnut", false,
                    a.rows(), r -> (String) r.get("level"), "plays", "plays")),
            new Question("match-rate", ALL, Questions::matched),
            new Question("top-songs", TOP, a -> Chart.of("top-songs", "Most played songs", "bar", true, a.rows(),
                    r -> r.get("title") + " (" + orUnknown(r.get("artist")) + ")", "plays", "plays"), "song"),
            new Question("top-artists", TOP, a -> Chart.of("top-artists", "Most played artists", "bar", true,
                    a.rows(), r -> (String) r.get("artist"), "plays", "plays"), "artist"),
            new Question("top-users", TOP, a -> Chart.of("top-users", "Most active users", "bar", true, a.rows(),
                    r -> orUnknown(r.get("first_name")) + " " + orUnknown(r.get("last_name")) + " (user "
                            + r.get("user_id") + ")", "plays", "plays")),
            new Question("top-locations", TOP, a -> Chart.of("top-locations", "Locations with the most plays", "bar",
                    true, a.rows(), r -> (String) r.get("location"), "plays", "plays")));

    private Questions() {
    }

    /** The share of plays matched to the catalog, as the two parts of all plays. */
    private static Chart matched(Answer answer) {
        Map<String, Object> row = answer.rows().get(0);
        long plays = ((Number) row.get("plays")).longValue();
        long matched = ((Number) row.get("matched")).longValue();
        return new Chart("match-rate", "Plays matched to a song of the catalog", "doughnut", false,
                List.of("matched", "not matched"),
                List.of(new Chart.Series("plays", List.of(matched, plays - matched))), null);
    }

    private static String orUnknown(Object value) {
        return value == null ? "?" : value.toString();
    }
}
