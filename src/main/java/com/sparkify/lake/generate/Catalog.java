package com.sparkify.lake.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The song catalog of a synthetic data set, made in memory before anything is written. */
final class Catalog {

    record Artist(String id, String name, String location, Double latitude, Double longitude) {
    }

    /** @param artist index into the artists */
    record Song(String trackId, String id, int artist, String title, double duration, int year) {
    }

    /** Share of songs that are a second recording of the one before: same title, artist and duration. */
    static final double RERECORDED = 0.01;

    private final List<Artist> artists;
    private final List<Song> songs;

    private Catalog(List<Artist> artists, List<Song> songs) {
        this.artists = artists;
        this.songs = songs;
    }

    static Catalog create(int songCount, SplittableRandom random) {
        int artistCount = Math.max(1, songCount * 7 / 10);
        List<Artist> artists = new ArrayList<>(artistCount);
        for (int i = 0; i < artistCount; i++) {
            boolean located = random.nextDouble() < 0.4;
            artists.add(new Artist(Names.id("AR", i, random), Names.artist(random),
                    located ? Names.LOCATIONS[random.nextInt(Names.LOCATIONS.length)] : "",
                    located ? round(random.nextDouble() * 120 - 60) : null,
                    located ? round(random.nextDouble() * 360 - 180) : null));
        }
        List<Song> songs = new ArrayList<>(songCount);
        for (int i = 0; i < songCount; i++) {
            String track = Names.id("TR", i, random);
            String id = Names.id("SO", i, random);
            if (i > 0 && random.nextDouble() < RERECORDED) {
                Song original = songs.get(i - 1);
                songs.add(new Song(track, id, original.artist(), original.title(), original.duration(),
                        random.nextInt(2000, 2011)));
                continue;
            }
            // Year 0 means unknown in the Million Song Dataset; about half the songs have it.
            int year = random.nextDouble() < 0.5 ? 0 : random.nextInt(1955, 2011);
            double duration = Math.round((30 + random.nextDouble() * 570) * 100_000) / 100_000.0;
            songs.add(new Song(track, id, random.nextInt(artistCount), Names.title(random), duration, year));
        }
        return new Catalog(artists, songs);
    }

    private static double round(double value) {
        return Math.round(value * 100_000) / 100_000.0;
    }

    int size() {
        return songs.size();
    }

    Song song(int index) {
        return songs.get(index);
    }

    Artist artist(int index) {
        return artists.get(index);
    }
}
