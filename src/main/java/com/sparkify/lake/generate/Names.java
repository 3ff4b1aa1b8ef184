package com.sparkify.lake.generate;

import java.util.SplittableRandom;

/** Made-up names, with the non-ASCII letters and the double-encoded ones ("mojibake") of the real data. */
final class Names {

    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ra", "tan", "vel", "sor", "bri", "ne", "ul",
        "dor", "fa", "gri", "jo", "ze", "quin", "ash", "mor", "pel", "ti"};
    private static final String[] WORDS = {"Love", "Night", "Fire", "River", "Heart", "Blue", "Dream", "Road",
        "Light", "Rain", "Song", "Gold", "Wild", "Stone", "Moon", "Summer", "Shadow", "Home", "Ocean", "Dance"};
    private static final String[] ACCENTED = {"Björk", "Sigur Rós", "Mötley Crüe", "Beyoncé", "Zé Ramalho",
        "Ólafur Arnalds", "Mylène Farmer", "Señor Coconut", "Jóhann Jóhannsson", "Kühn & Söhne"};
    /** The same names as UTF-8 bytes read as Windows-1252, twice, as some real records have them. */
    private static final String[] MOJIBAKE = {"BjÃƒÂ¶rk", "MÃƒÂ¶tley CrÃƒÂ¼e", "BeyoncÃƒÂ©"};
    static final String[] FIRST_NAMES = {"Walter", "Kaylee", "Jacob", "Lily", "Ryan", "Chloe", "Aiden",
        "Tegan", "Jayden", "Émilie", "Zoë", "José", "Anya", "Theo", "Matías", "Inès"};
    static final String[] LAST_NAMES = {"Frye", "Summers", "Klein", "Koch", "Smith", "Levine", "Ramos",
        "Müller", "Núñez", "O'Brien", "Lefèvre", "Dubois", "Cruz", "Olsen", "Ivanov", "Park"};
    static final String[] LOCATIONS = {"San Francisco-Oakland-Hayward, CA", "Phoenix-Mesa-Scottsdale, AZ",
        "New York-Newark-Jersey City, NY-NJ-PA", "Chicago-Naperville-Elgin, IL-IN-WI", "Atlanta-Sandy Springs-Roswell, GA",
        "Lansing-East Lansing, MI", "Portland-South Portland, ME", "Tampa-St. Petersburg-Clearwater, FL"};
    static final String[] USER_AGENTS = {
        "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36\"",
        "\"Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0\"",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36",
        "\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\""};

    private Names() {
    }

    static String artist(SplittableRandom random) {
        double kind = random.nextDouble();
        if (kind < 0.04) {
            return ACCENTED[random.nextInt(ACCENTED.length)];
        }
        if (kind < 0.05) {
            return MOJIBAKE[random.nextInt(MOJIBAKE.length)];
        }
        String name = word(random, 2 + random.nextInt(2));
        return kind < 0.3 ? "The " + name + "s" : name;
    }

    static String title(SplittableRandom random) {
        StringBuilder title = new StringBuilder(WORDS[random.nextInt(WORDS.length)]);
        int words = random.nextInt(3);
        for (int i = 0; i < words; i++) {
            title.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        if (random.nextDouble() < 0.05) {
            title.append(" (").append(word(random, 2)).append(" Remix)");
        }
        return title.toString();
    }

    private static String word(SplittableRandom random, int syllables) {
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < syllables; i++) {
            word.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
        }
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    static String id(String prefix, long number, SplittableRandom random) {
        // Uppercase letters and digits like the real ids; the number keeps them unique, the tail random.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder id = new StringBuilder(prefix);
        for (int i = 0; i < 3; i++) {
            id.append(alphabet.charAt(random.nextInt(26)));
        }
        String digits = Long.toString(number, 36).toUpperCase();
        id.append("0".repeat(Math.max(0, 7 - digits.length()))).append(digits);
        while (id.length() < 18) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }
}
