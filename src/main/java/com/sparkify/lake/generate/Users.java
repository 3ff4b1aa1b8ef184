package com.sparkify.lake.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The app's users. A user's level is a function of time, so days can be written in any order. */
final class Users {

    /** @param changeAt when the level flips (free to paid, or paid to free), or Long.MAX_VALUE for never */
    record User(int id, String firstName, String lastName, String gender, String location, String userAgent,
                double registration, boolean startsPaid, long changeAt) {

        String level(long ts) {
            boolean paid = ts < changeAt ? startsPaid : !startsPaid;
            return paid ? "paid" : "free";
        }
    }

    private final List<User> users;

    private Users(List<User> users) {
        this.users = users;
    }

    static Users create(int count, long firstMillis, long spanMillis, SplittableRandom random) {
        List<User> users = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean paid = random.nextDouble() < 0.25;
            // A fifth of the users change level once during the period.
            long changeAt = random.nextDouble() < 0.2 ? firstMillis + random.nextLong(spanMillis) : Long.MAX_VALUE;
            users.add(new User(i + 1,
                    Names.FIRST_NAMES[random.nextInt(Names.FIRST_NAMES.length)],
                    Names.LAST_NAMES[random.nextInt(Names.LAST_NAMES.length)],
                    random.nextBoolean() ? "F" : "M",
                    Names.LOCATIONS[random.nextInt(Names.LOCATIONS.length)],
                    Names.USER_AGENTS[random.nextInt(Names.USER_AGENTS.length)],
                    firstMillis - 1_000L - random.nextLong(31_536_000_000L),
                    paid, changeAt));
        }
        return new Users(users);
    }

    int size() {
        return users.size();
    }

    User user(int index) {
        return users.get(index);
    }
}
