package com.sparkify.lake.report;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many plays the catalog matched, from the match-rate query's answer. A play without a song_id has no song
 * or artist to rank, so the charts of songs and artists count only the matched ones; when those are few (on
 * Udacity's sample, 1 of 6,820), such a chart is one bar that says nothing of what users play, and the page
 * must say so rather than leave a reader to take it for the top song.
 */
record Matching(long plays, long matched) {

    /** A chart that ranks among matched plays: its title, what it ranks ("song"), and the answer it draws. */
    record Ranking(String title, String noun, Answer answer) {
    }

    /** Under half the plays matched: the song and artist rankings describe the lesser part of the listening. */
    static boolean isFew(long plays, long matched) {
        return plays > 0 && matched * 2 < plays;
    }

    static Matching of(Answer matchRate) {
        Map<String, Object> row = matchRate.rows().get(0);
        return new Matching(((Number) row.get("plays")).longValue(), ((Number) row.get("matched")).longValue());
    }

    boolean few() {
        return isFew(plays, matched);
    }

    /**
     * The matched share as a percentage, cut (never rounded up) to two significant digits below 1 % and to three
     * above: 1 of 6,820 is 0.014 %, and a share just short of all is 99.9 %, not a 100 % that would hide the rest.
     */
    String share() {
        if (plays == 0) {
            return "0%";
        }
        BigDecimal percent = BigDecimal.valueOf(matched).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(plays), MathContext.DECIMAL64);
        MathContext digits = new MathContext(percent.compareTo(BigDecimal.ONE) < 0 ? 2 : 3, RoundingMode.DOWN);
        return (percent.signum() == 0 ? BigDecimal.ZERO : percent.round(digits).stripTrailingZeros())
                .toPlainString() + "%";
    }

    /** The note under a chart that counts only matched plays, whatever their share. */
    String countedHtml() {
        if (plays == 0) {
            return "The lake holds no plays.";
        }
        return "The matched plays are " + count(matched) + " of " + count(plays) + " (" + share() + ").";
    }

    /**
     * What the page says before the charts when few plays matched: how many, what a match needs, what the
     * unmatched plays are, and which charts count what.
     *
     * @param catalogSongs the songs the catalog holds
     * @param matchedOnly  the charts that count only matched plays
     */
    String fewHtml(long catalogSongs, List<Ranking> matchedOnly) {
        long unmatched = plays - matched;
        StringBuilder note = new StringBuilder("<strong>")
                .append(matched == 0 ? "None of the " + count(plays) + " plays" : "Only " + count(matched) + " of "
                        + count(plays) + " plays (" + share() + ")")
                .append(" matched a song of the catalog.</strong> A play has a <code>song_id</code> and an "
                        + "<code>artist_id</code> only when the catalog holds a song of its title, by its artist, "
                        + "within 0.01 s of its length; the ")
                .append(matched == 0 ? "plays name" : "other " + count(unmatched) + " name")
                .append(" songs that are not among the ").append(count(catalogSongs)).append(" song")
                .append(catalogSongs == 1 ? "" : "s").append(" of the catalog, so their song and artist are unknown. ");
        List<String> titles = matchedOnly.stream().map(ranking -> "“" + escapeHtml4(ranking.title()) + "”").toList();
        note.append(join(titles)).append(matchedOnly.size() == 1 ? " counts" : " count");
        if (matched == 0) {
            note.append(" only matched plays, so ").append(matchedOnly.size() == 1 ? "it is" : "they are")
                    .append(" empty.");
        } else {
            List<String> ranked = matchedOnly.stream().map(Matching::ranked).toList();
            note.append(" only ").append(matched == 1 ? "the matched play" : "those " + count(matched))
                    .append(", and rank ").append(join(ranked))
                    .append(": they say little of what Sparkify's users play.");
        }
        note.append(" The other charts count all ").append(count(plays)).append(" plays.");
        return note.toString();
    }

    /** "1 song", "3 artists", or "the first 10 of more songs" for a ranking the report cut. */
    private static String ranked(Ranking ranking) {
        Answer answer = ranking.answer();
        String noun = ranking.noun();
        int shown = answer.rows().size();
        return answer.more() ? "the first " + shown + " of more " + noun + "s"
                : shown + " " + noun + (shown == 1 ? "" : "s");
    }

    private static String join(List<String> parts) {
        if (parts.size() <= 1) {
            return String.join("", parts);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
