package dev.switchboard.app;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.core.secrets.Secret;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.secrets.SecretCipher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's generated secrets: every secret the environment leaves unset is generated once, kept in
 * {@code <data directory>/secrets.properties} (file 0600, directory 0700 on POSIX file systems) and reused by the
 * next start, so sealed tokens stay readable and sessions survive a restart. The embedded PostgreSQL's password
 * ({@link #embeddedDatabasePassword}) is kept there too. A directory or file that already exists with wider
 * permissions is tightened to owner-only (and a warning logged). The log says which secrets were generated or
 * reused and where the file is, never a value. Production never gets here: its configuration has every secret set
 * and its database is external.
 *
 * <p>Not thread-safe; called once at start-up. Failures to read or write the file are {@link SwitchboardException}s
 * whose messages name the file, never a value.
 */
public final class SandboxSecrets {
    /** Name of the file under the data directory. */
    public static final String FILE_NAME = "secrets.properties";
    /** Name of the embedded PostgreSQL's password in the file. */
    public static final String EMBEDDED_DATABASE_PASSWORD = "EMBEDDED_DATABASE_PASSWORD";

    private static final Logger LOG = LoggerFactory.getLogger(SandboxSecrets.class);
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final int RANDOM_BYTES = 32;

    private SandboxSecrets() {
    }

    /**
     * {@code configuration} with every secret left to generate filled in from the file, generating and saving the
     * ones the file does not have yet. Returns {@code configuration} itself when nothing is left to generate.
     */
    public static Configuration resolve(Configuration configuration, SecureRandom random) {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(random, "random");
        List<String> names = configuration.secrets().toGenerate();
        if (names.isEmpty()) {
            return configuration;
        }
        Kept kept = keep(configuration.dataDirectory(), names, random);
        LOG.info("sandbox secrets kept in {} (owner-only): generated {}, reused {}", kept.file(), kept.generated(),
                kept.reused());
        return configuration.withSecrets(configuration.secrets().withGenerated(kept.values()));
    }

    /**
     * The password the embedded PostgreSQL requires of every connection (scram-sha-256), kept in the file under
     * {@code dataDirectory} as {@value #EMBEDDED_DATABASE_PASSWORD}: generated on first use, the same on every later
     * start. Losing it locks the server out of its own cluster, so a stored one is always reused.
     */
    public static Secret embeddedDatabasePassword(Path dataDirectory, SecureRandom random) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(random, "random");
        Kept kept = keep(dataDirectory, List.of(EMBEDDED_DATABASE_PASSWORD), random);
        LOG.info("embedded PostgreSQL password kept in {} (owner-only): {}", kept.file(),
                kept.generated().isEmpty() ? "reused" : "generated");
        return kept.values().get(EMBEDDED_DATABASE_PASSWORD);
    }

    /** The values of {@code names} in the directory's file, and which of them were generated now or reused. */
    private record Kept(Path file, Map<String, Secret> values, List<String> generated, List<String> reused) {
    }

    /**
     * Reads the values of {@code names} from the file under {@code dataDirectory}, generating and saving the ones it
     * does not have yet; the directory and the file are made owner-only first.
     */
    private static Kept keep(Path dataDirectory, List<String> names, SecureRandom random) {
        Path directory = dataDirectory.toAbsolutePath().normalize();
        Path file = directory.resolve(FILE_NAME);
        try {
            createOwnerOnlyDirectory(directory);
            Properties stored = load(file);
            Map<String, Secret> values = new LinkedHashMap<>();
            List<String> generated = new ArrayList<>();
            List<String> reused = new ArrayList<>();
            for (String name : names) {
                String value = stored.getProperty(name);
                if (value == null || value.isBlank()) {
                    value = generate(name, random);
                    stored.setProperty(name, value);
                    generated.add(name);
                } else {
                    checkStored(file, name, value.strip());
                    value = value.strip();
                    reused.add(name);
                }
                values.put(name, new Secret(value));
            }
            if (!generated.isEmpty()) {
                save(file, stored);
            }
            return new Kept(file, values, generated, reused);
        } catch (IOException e) {
            throw new SwitchboardException("could not read or write the sandbox secrets file " + file + ": "
                    + e.getClass().getSimpleName(), null);
        }
    }

    private static String generate(String name, SecureRandom random) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        if (name.equals(Secrets.TOKEN_ENCRYPTION_KEY)) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        // 43 URL-safe characters: above the 32-character minimum, and safe in headers and shells
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void checkStored(Path file, String name, String value) {
        boolean valid;
        if (name.equals(Secrets.TOKEN_ENCRYPTION_KEY)) {
            try {
                SecretCipher.decodeKey(value);
                valid = true;
            } catch (IllegalArgumentException e) {
                valid = false;
            }
        } else if (name.equals(Secrets.INTERNAL_API_SECRET) || name.equals(Secrets.SESSION_SECRET)) {
            valid = value.length() >= Secrets.MIN_SECRET_LENGTH;
        } else {
            valid = true;
        }
        if (!valid) {
            // regenerating silently could make every sealed token unreadable; the operator decides
            throw new SwitchboardException(file + " holds an invalid " + name + ": fix that line or remove it to "
                    + "have a new one generated", null);
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        if (!Files.exists(file)) {
            return properties;
        }
        if (posix() && !Files.getPosixFilePermissions(file).equals(OWNER_FILE)) {
            LOG.warn("{} was readable by others; its permissions are now owner-only (0600)", file);
            Files.setPosixFilePermissions(file, OWNER_FILE);
        }
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        return properties;
    }

    /** Writes a new file with owner-only permissions from the start, then moves it over the old one. */
    private static void save(Path file, Properties properties) throws IOException {
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, ownerOnly(OWNER_FILE));
        try (OutputStream out = Files.newOutputStream(temporary)) {
            properties.store(out, "Switchboard sandbox secrets, generated once and reused. Keep this file private.");
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void createOwnerOnlyDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            // a directory made by hand (or by an older version) may let others list and read it
            if (posix() && !Files.getPosixFilePermissions(directory).equals(OWNER_DIRECTORY)) {
                LOG.warn("{} was open to others; its permissions are now owner-only (0700)", directory);
                Files.setPosixFilePermissions(directory, OWNER_DIRECTORY);
            }
            return;
        }
        Files.createDirectories(directory, ownerOnly(OWNER_DIRECTORY));
        if (posix()) {
            // createDirectories applies the umask; make sure the leaf is exactly 0700
            Files.setPosixFilePermissions(directory, OWNER_DIRECTORY);
        }
    }

    private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
