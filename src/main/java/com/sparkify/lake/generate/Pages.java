package com.sparkify.lake.generate;

/** Which page an event shows, in about the real log's proportions. */
final class Pages {

    private static final String[] GUEST = {"Home", "Login", "About", "Help"};

    private Pages() {
    }

    static String loggedIn(double pick, String level) {
        if (pick < 0.80) {
            return "NextSong";
        }
        if (pick < 0.85) {
            return "Home";
        }
        if (pick < 0.89) {
            return "Thumbs Up";
        }
        if (pick < 0.91) {
            return "Add to Playlist";
        }
        if (pick < 0.93) {
            return level.equals("free") ? "Roll Advert" : "Thumbs Down";
        }
        if (pick < 0.95) {
            return "Logout";
        }
        if (pick < 0.97) {
            return "Settings";
        }
        if (pick < 0.98) {
            return level.equals("free") ? "Upgrade" : "Downgrade";
        }
        if (pick < 0.99) {
            return "Help";
        }
        return pick < 0.995 ? "About" : "Error";
    }

    static String guest(double pick) {
        return GUEST[(int) (pick * GUEST.length)];
    }

    static String method(String page) {
        return switch (page) {
            case "Home", "About", "Help", "Downgrade", "Upgrade", "Settings" -> "GET";
            default -> "PUT";
        };
    }

    static int status(String page) {
        return switch (page) {
            case "Logout", "Login" -> 307;
            case "Error" -> 404;
            default -> 200;
        };
    }
}
