package com.sparkify.lake.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Writes a synthetic Sparkify data set in the real layout and JSON shape: one song per file under
 * {@code song_data/X/Y/Z/TR….json}, one NDJSON file of events per day under {@code log_data/YYYY/MM/}.
 * It carries the real data's quirks: users whose level changes, logged-out events with an empty userId,
 * pages other than NextSong, plays that match the catalog and many that do not (some only just not),
 * songs recorded twice, non-ASCII and mojibake names, {@code \/} escapes and quoted user agents.
 * The same spec and seed give the same bytes; days and song files are written in parallel.
 */
public final class Generator {

    /**
     * @param songs      song files to write
     * @param events     events to write, spread evenly over the days
     * @param seed       the data set is a function of the seed
     * @param days       days of events, one file each
     * @param firstDay   the first day's date (UTC)
     */
    public record Spec(int songs, long events, long seed, int days, LocalDate firstDay) {

        public static final LocalDate REAL_FIRST_DAY = LocalDate.of(2018, 11, 1);

        public int users() {
            // About 80 events per user, as in the real month of logs.
            return (int) Math.max(10, Math.min(Integer.MAX_VALUE, events / 80));
        }
    }

    /** What was written. */
    public record Written(int songFiles, int logFiles, long events, long plays, long catalogPlays) {
    }

    /** Share of plays that pick a catalog song with its duration: these match. */
    static final double CATALOG_PLAY = 0.30;
    /** Share of plays that pick a catalog song but report a length off by more than the tolerance. */
    static final double NEAR_MISS_PLAY = 0.03;
    /** Share of sessions of a visitor who is not logged in. */
    static final double GUEST_SESSION = 0.04;

    private static final JsonFactory JSON = new JsonFactory();

    private final Spec spec;
    private final Catalog catalog;
    private final Users users;

    public Generator(Spec spec) {
        this.spec = spec;
        this.catalog = Catalog.create(spec.songs(), new SplittableRandom(spec.seed()));
        long firstMillis = spec.firstDay().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        this.users = Users.create(spec.users(), firstMillis, spec.days() * 86_400_000L,
                new SplittableRandom(spec.seed() ^ 0x5EED_0F_05E25L));
    }

    public Written write(Path root) {
        IntStream.range(0, catalog.size()).parallel().forEach(i -> writeSong(root, i));
        AtomicLong plays = new AtomicLong();
        AtomicLong catalogPlays = new AtomicLong();
        IntStream.range(0, spec.days()).parallel().forEach(day -> {
            long[] counts = writeDay(root, day);
            plays.addAndGet(counts[0]);
            catalogPlays.addAndGet(counts[1]);
        });
        return new Written(catalog.size(), spec.days(), spec.events(), plays.get(), catalogPlays.get());
    }

    private void writeSong(Path root, int index) {
        Catalog.Song song = catalog.song(index);
        String track = song.trackId();
        Path file = root.resolve("song_data").resolve(track.substring(2, 3)).resolve(track.substring(3, 4))
                .resolve(track.substring(4, 5)).resolve(track + ".json");
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file);
                 JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                // The catalog's files spell non-ASCII letters as \\u escapes, as the Million Song Dataset does.
                json.enable(JsonGenerator.Feature.ESCAPE_NON_ASCII);
                Catalog.Artist artist = catalog.artist(song.artist());
                json.writeStartObject();
                json.writeNumberField("num_songs", 1);
                json.writeStringField("artist_id", artist.id());
                writeNullable(json, "artist_latitude", artist.latitude());
                writeNullable(json, "artist_longitude", artist.longitude());
                json.writeStringField("artist_location", artist.location());
                json.writeStringField("artist_name", artist.name());
                json.writeStringField("song_id", song.id());
                json.writeStringField("title", song.title());
                json.writeNumberField("duration", song.duration());
                json.writeNumberField("year", song.year());
                json.writeEndObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** @return plays written, and of those the ones that name a catalog song with its duration */
    private long[] writeDay(Path root, int day) {
        SplittableRandom random = new SplittableRandom(spec.seed() * 1_000_003L + day);
        LocalDate date = spec.firstDay().plusDays(day);
        long dayStart = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long quota = spec.events() / spec.days() + (day < spec.events() % spec.days() ? 1 : 0);

        List<Event> events = new ArrayList<>((int) quota);
        long session = (long) day * 1_000_000L;
        while (events.size() < quota) {
            session++;
            boolean guest = random.nextDouble() < GUEST_SESSION;
            Users.User user = guest ? null : users.user(random.nextInt(users.size()));
            long ts = dayStart + random.nextLong(86_400_000L);
            int items = 1 + (int) (-Math.log(1 - random.nextDouble()) * 15);
            for (int item = 0; item < items && events.size() < quota && ts < dayStart + 86_400_000L; item++) {
                events.add(guest ? Event.guest(random, session, item, ts) : play(random, user, session, item, ts));
                ts += 1_000 + random.nextLong(400_000L);
            }
        }
        events.sort(Comparator.comparingLong(Event::ts).thenComparingLong(Event::sessionId)
                .thenComparingInt(Event::itemInSession));

        Path file = root.resolve("log_data").resolve(String.format("%04d", date.getYear()))
                .resolve(String.format("%02d", date.getMonthValue())).resolve(date + "-events.json");
        long plays = 0;
        long matched = 0;
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file);
                 JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                // The app's exporter escapes every slash, so user agents read "Mozilla\/5.0".
                json.setCharacterEscapes(SlashEscapes.INSTANCE);
                json.setRootValueSeparator(new SerializedString("\n"));
                for (Event event : events) {
                    event.write(json);
                    if (event.song() != null) {
                        plays++;
                        matched += event.catalogMatch() ? 1 : 0;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return new long[] {plays, matched};
    }

    private Event play(SplittableRandom random, Users.User user, long session, int item, long ts) {
        String level = user.level(ts);
        double pick = random.nextDouble();
        String page = Pages.loggedIn(pick, level);
        if (!page.equals("NextSong")) {
            return Event.page(user, page, level, session, item, ts);
        }
        double kind = random.nextDouble();
        if (catalog.size() > 0 && kind < CATALOG_PLAY + NEAR_MISS_PLAY) {
            Catalog.Song song = catalog.song(random.nextInt(catalog.size()));
            String artist = catalog.artist(song.artist()).name();
            boolean match = kind < CATALOG_PLAY;
            // A near miss is the right song with a length a whole second or more away: not the recording.
            double length = match ? song.duration() : song.duration() + 1 + random.nextDouble() * 5;
            return Event.play(user, level, session, item, ts, artist, song.title(), length, match);
        }
        return Event.play(user, level, session, item, ts, Names.artist(random), Names.title(random),
                Math.round((60 + random.nextDouble() * 420) * 100_000) / 100_000.0, false);
    }

    private static void writeNullable(JsonGenerator json, String field, Double value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, value);
        }
    }

    /** Escapes '/' as "\/", the way the app's log exporter does. */
    static final class SlashEscapes extends CharacterEscapes {
        static final SlashEscapes INSTANCE = new SlashEscapes();
        private final int[] codes = CharacterEscapes.standardAsciiEscapesForJSON();
        private final SerializedString slash = new SerializedString("\\/");

        private SlashEscapes() {
            codes['/'] = CharacterEscapes.ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return codes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == '/' ? slash : null;
        }
    }
}
