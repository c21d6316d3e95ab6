package dev.switchboard.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.apikey.ApiKeyIssuance;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppAdministration;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.oauth.ConnectLinkIssue;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhook;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.http.HttpServer;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The command line, {@code java -jar switchboard.jar [command]}: {@code serve} (also what no command means),
 * {@code check-config}, {@code migrate}, {@code apps create|list}, {@code connect-link}, {@code api-key rotate},
 * {@code simulate}.
 * Every command reads the server's own environment ({@link ServerSettings}) and, where it changes data, goes through
 * the same core services and audit entries as the internal API (actor {@value #ACTOR}). Exit codes: 0 success,
 * 1 failure (configuration, database, no such app), 2 usage error. Messages never carry a secret; the two commands
 * that issue one (a new key, a connect link) print it once on stdout, as the internal API answers it once.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = "Switchboard",
        description = "A multi-tenant CTI server for Dialpad. Without a command, starts the server (serve).")
final class SwitchboardCommand implements Callable<Integer> {
    /** The actor the audit log names for changes made on the command line. */
    static final String ACTOR = "command_line";
    private static final String WARNING = "Store this immediately - it will never be shown again";
    private static final ObjectMapper JSON = HttpServer.objectMapper();

    private final Map<String, String> environment;
    private final SecureRandom random;
    private final Clock clock;
    private Switchboard serving;

    @Spec
    private CommandSpec spec;

    private SwitchboardCommand(Map<String, String> environment, SecureRandom random, Clock clock) {
        this.environment = Map.copyOf(environment);
        this.random = random;
        this.clock = clock;
    }

    /** The whole command line over {@code environment}, its messages going to the given writers. */
    static CommandLine commandLine(Map<String, String> environment, SecureRandom random, Clock clock) {
        SwitchboardCommand root = new SwitchboardCommand(Objects.requireNonNull(environment, "environment"),
                Objects.requireNonNull(random, "random"), Objects.requireNonNull(clock, "clock"));
        CommandLine apps = new CommandLine(new AppsCommand())
                .addSubcommand("create", new AppsCreate(root))
                .addSubcommand("list", new AppsList(root));
        CommandLine apiKey = new CommandLine(new ApiKeyCommand())
                .addSubcommand("rotate", new ApiKeyRotate(root));
        CommandLine line = new CommandLine(root)
                .addSubcommand("serve", new Serve(root))
                .addSubcommand("check-config", new CheckConfig(root))
                .addSubcommand("migrate", new Migrate(root))
                .addSubcommand("apps", apps)
                .addSubcommand("connect-link", new ConnectLink(root))
                .addSubcommand("api-key", apiKey)
                .addSubcommand("simulate", new Simulate(root));
        line.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
            // operators' messages never carry a secret; any other exception is named, not printed, in case it does
            String message = exception instanceof SwitchboardException ? exception.getMessage()
                    : "unexpected " + exception.getClass().getSimpleName();
            commandLine.getErr().println("switchboard: " + message);
            return 1;
        });
        return line;
    }

    /** The server this command line started, if it ran {@code serve}: then the process keeps running. */
    Optional<Switchboard> serving() {
        return Optional.ofNullable(serving);
    }

    /** The server started by {@code serve} in the command line {@code line}, if any. */
    static Optional<Switchboard> serving(CommandLine line) {
        return ((SwitchboardCommand) line.getCommand()).serving();
    }

    @Override
    public Integer call() {
        return serve(spec);
    }

    private int serve(CommandSpec command) {
        // the server also logs them, so that a log collector shows why it did not start
        Optional<ServerSettings> settings = settings(command, true);
        if (settings.isEmpty()) {
            return 1;
        }
        ServerSettings read = settings.get();
        try {
            serving = Switchboard.start(read.configuration(), read.processing(), read.refresher(), random, clock);
        } catch (SwitchboardException e) {
            // the message is written for operators and never carries a secret; the stack trace would add nothing
            command.commandLine().getErr().println("Switchboard could not start: " + e.getMessage());
            LoggerFactory.getLogger(SwitchboardCommand.class).error("Switchboard could not start: {}", e.getMessage());
            return 1;
        }
        return 0;
    }

    /** The settings, or empty after one line per problem on stderr. */
    private Optional<ServerSettings> settings(CommandSpec command) {
        return settings(command, false);
    }

    /** The settings, or empty after one line per problem on stderr (and in the log if {@code log}). */
    private Optional<ServerSettings> settings(CommandSpec command, boolean log) {
        ServerSettings.Reading reading = ServerSettings.read(environment);
        if (reading instanceof ServerSettings.Reading.Invalid invalid) {
            for (String problem : invalid.problems()) {
                command.commandLine().getErr().println("configuration problem: " + problem);
                if (log) {
                    LoggerFactory.getLogger(SwitchboardCommand.class).error("configuration problem: {}", problem);
                }
            }
            return Optional.empty();
        }
        if (!(reading instanceof ServerSettings.Reading.Valid valid)) {
            throw new IllegalStateException("unexpected outcome " + reading.getClass().getName());
        }
        return Optional.of(valid.settings());
    }

    /** Runs {@code work} on the opened database, or answers 1 when the configuration is invalid. */
    private int withDatabase(CommandSpec command, DatabaseWork work) {
        Optional<ServerSettings> settings = settings(command);
        if (settings.isEmpty()) {
            return 1;
        }
        try (CommandDatabase database = CommandDatabase.open(settings.get().configuration(), random)) {
            return work.run(database, command.commandLine().getOut(), command.commandLine().getErr());
        }
    }

    private AppAdministration administration(CommandDatabase database) {
        JdbiAppStore apps = JdbiAppStore.create(database.database(), clock);
        return AppAdministration.create(apps, ApiKeys.create(random), JdbiApiKeyStore.create(database.database()),
                JdbiAuditLog.create(database.database()), clock);
    }

    private static void printJson(PrintWriter out, Map<String, Object> fields) {
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fields));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of plain values could not be written as JSON", e);
        }
        out.flush();
    }

    private static int appNotFound(PrintWriter err, UUID appId) {
        err.println("switchboard: no app has the app_id " + appId);
        return 1;
    }

    /** What a command does with the open database; answers the exit code. */
    @FunctionalInterface
    private interface DatabaseWork {
        int run(CommandDatabase database, PrintWriter out, PrintWriter err);
    }

    /** A command that works with the root's environment, randomness and clock. */
    abstract static class Subcommand implements Callable<Integer> {
        final SwitchboardCommand root;
        @Spec
        CommandSpec spec;

        Subcommand(SwitchboardCommand root) {
            this.root = root;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Starts the server (the default when no command is given).")
    static final class Serve extends Subcommand {
        Serve(SwitchboardCommand root) {
            super(root);
        }

        @Override
        public Integer call() {
            return root.serve(spec);
        }
    }

    @Command(name = "check-config", mixinStandardHelpOptions = true,
            description = "Prints every configuration problem, one a line; exits 1 if there is any, 0 if none.")
    static final class CheckConfig extends Subcommand {
        CheckConfig(SwitchboardCommand root) {
            super(root);
        }

        @Override
        public Integer call() {
            ServerSettings.Reading reading = ServerSettings.read(root.environment);
            PrintWriter out = spec.commandLine().getOut();
            if (reading instanceof ServerSettings.Reading.Invalid invalid) {
                invalid.problems().forEach(problem -> out.println("configuration problem: " + problem));
                out.flush();
                return 1;
            }
            if (!(reading instanceof ServerSettings.Reading.Valid valid)) {
                throw new IllegalStateException("unexpected outcome " + reading.getClass().getName());
            }
            ServerSettings settings = valid.settings();
            out.println("configuration is valid (" + (settings.configuration().production() ? "production"
                    : "sandbox") + ")");
            out.flush();
            return 0;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Applies the database migrations and exits.")
    static final class Migrate extends Subcommand {
        Migrate(SwitchboardCommand root) {
            super(root);
        }

        @Override
        public Integer call() {
            return root.withDatabase(spec, (database, out, err) -> {
                out.println("database migrated");
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "apps", mixinStandardHelpOptions = true, description = "Creates and lists apps.",
            synopsisSubcommandLabel = "(create | list)")
    /** Only a group: not itself runnable, so picocli answers a usage error (2) without one of its commands. */
    static final class AppsCommand {
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates an app and prints it with its API key, shown this once.")
    static final class AppsCreate extends Subcommand {
        @Option(names = "--name", required = true, description = "The app's name (1 to 255 characters).")
        private String name;

        AppsCreate(SwitchboardCommand root) {
            super(root);
        }

        @Override
        public Integer call() {
            String valid;
            try {
                valid = App.validName(name);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--name must be 1 to "
                        + App.MAX_NAME_LENGTH + " characters without control characters");
            }
            return root.withDatabase(spec, (database, out, err) -> {
                AppAdministration.Created created = root.administration(database)
                        .createApp(valid, ACTOR, Optional.empty());
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("app_id", created.app().id());
                answer.put("app_name", created.app().name());
                answer.put("api_key", created.key().plaintext());
                answer.put("created_at", created.app().createdAt());
                answer.put("warning", WARNING);
                printJson(out, answer);
                return 0;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the apps, one a line: app_id, active or inactive, created_at, name.")
    static final class AppsList extends Subcommand {
        AppsList(SwitchboardCommand root) {
            super(root);
        }

        @Override
        public Integer call() {
            return root.withDatabase(spec, (database, out, err) -> {
                for (App app : JdbiAppStore.create(database.database(), root.clock).list()) {
                    out.println(app.id() + "\t" + (app.active() ? "active" : "inactive") + "\t" + app.createdAt()
                            + "\t" + app.name());
                }
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "connect-link", mixinStandardHelpOptions = true,
            description = "Issues a connect link for an app (valid 15 minutes, until a connection completes).")
    static final class ConnectLink extends Subcommand {
        @Option(names = "--app", required = true, description = "The app's app_id.")
        private UUID appId;
        @Option(names = "--dialpad-org-id", description = "The only Dialpad organisation the link may connect.")
        private String organisation;

        ConnectLink(SwitchboardCommand root) {
            super(root);
        }

        @Override
        public Integer call() {
            Optional<String> bound;
            try {
                bound = Optional.ofNullable(organisation).map(Connection::validOrganisationId);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--dialpad-org-id must be 1 to "
                        + Connection.MAX_ORGANISATION_ID_LENGTH + " printable characters");
            }
            return root.withDatabase(spec, (database, out, err) -> {
                ConnectLinkIssue issue = OAuthWiring.flows(database.configuration(), database.database(),
                        root.random, root.clock).createConnectLink(appId, bound, Optional.empty(), ACTOR);
                if (issue instanceof ConnectLinkIssue.AppNotFound) {
                    return appNotFound(err, appId);
                }
                if (issue instanceof ConnectLinkIssue.AppInactive) {
                    err.println("switchboard: the app " + appId + " is inactive; activate it before connecting");
                    return 1;
                }
                if (!(issue instanceof ConnectLinkIssue.Issued issued)) {
                    throw new IllegalStateException("unexpected outcome " + issue.getClass().getName());
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("connect_url", issued.connectUrl(database.configuration().publicBaseUrl()));
                answer.put("expires_at", issued.expiresAt());
                issued.organisationId().ifPresent(id -> answer.put("dialpad_org_id", id));
                printJson(out, answer);
                return 0;
            });
        }
    }

    @Command(name = "api-key", mixinStandardHelpOptions = true, description = "Manages an app's API key.",
            synopsisSubcommandLabel = "rotate")
    /** Only a group: not itself runnable, so picocli answers a usage error (2) without one of its commands. */
    static final class ApiKeyCommand {
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, description = "Gives the app a new API key, "
            + "shown this once; the old key stops working (on running servers within seconds), or at the end of "
            + "--grace.")
    static final class ApiKeyRotate extends Subcommand {
        @Option(names = "--app", required = true, description = "The app's app_id.")
        private UUID appId;

        @Option(names = "--grace", defaultValue = "0", paramLabel = "SECONDS", description = "How long the old key "
                + "keeps working, 0 to 604800 seconds (default 0: it stops at once).")
        private long graceSeconds;

        ApiKeyRotate(SwitchboardCommand root) {
            super(root);
        }

        @Override
        public Integer call() {
            if (graceSeconds < 0 || graceSeconds > ApiKeyIssuance.MAX_GRACE.toSeconds()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--grace must be 0 to "
                        + ApiKeyIssuance.MAX_GRACE.toSeconds());
            }
            return root.withDatabase(spec, (database, out, err) -> {
                Optional<AppAdministration.KeyIssued> issued = root.administration(database)
                        .issueKey(appId, ACTOR, Optional.empty(), Duration.ofSeconds(graceSeconds));
                if (issued.isEmpty()) {
                    return appNotFound(err, appId);
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("api_key", issued.get().key().plaintext());
                answer.put("key_hint", issued.get().key().hint());
                answer.put("warning", WARNING);
                issued.get().entry().previousKeyExpiresAt()
                        .ifPresent(end -> answer.put("previous_key_expires_at", end.toString()));
                printJson(out, answer);
                return 0;
            });
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true, description = {
        "Posts signed, made-up Dialpad call and SMS events for an app to a running sandbox server.",
        "For each call ringing, connected and hangup, then a call that goes to voicemail, then an SMS: the app's "
            + "sockets receive call.ring, call.started, call.ended, voicemail.received and message.received.",
        "The events are signed with the app's simulation webhook secret, set (encrypted and audited) on each run; "
            + "refused in production, where made-up calls would mix with real ones."})
    static final class Simulate extends Subcommand {
        /** The Dialpad webhook id under which an app's simulation secret is kept; no real Dialpad id looks so. */
        static final String SIMULATION_WEBHOOK_ID = "switchboard-simulation";
        private static final HttpClient HTTP = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10)).build();

        @Option(names = "--app", required = true, description = "The app's app_id.")
        private UUID appId;
        @Option(names = "--calls", defaultValue = "1", description = "How many answered calls (1 to 100, default 1).")
        private int calls;
        @Option(names = "--url", description = "The server's base URL (default PUBLIC_BASE_URL).")
        private URI url;

        Simulate(SwitchboardCommand root) {
            super(root);
        }

        @Override
        public Integer call() {
            if (calls < 1 || calls > 100) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--calls must be 1 to 100");
            }
            Optional<ServerSettings> settings = root.settings(spec);
            if (settings.isEmpty()) {
                return 1;
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (settings.get().configuration().production()) {
                err.println("switchboard: simulate runs only in sandbox (APP_ENV=sandbox): in production its made-up "
                        + "calls would mix with real ones");
                return 1;
            }
            Optional<String> secret;
            URI base;
            try (CommandDatabase database = CommandDatabase.open(settings.get().configuration(), root.random)) {
                base = url != null ? url : database.configuration().publicBaseUrl();
                secret = simulationSecret(database, base, err);
            }
            if (secret.isEmpty()) {
                return 1;
            }
            URI target = URI.create(stripSlash(base.toString()) + "/webhooks/dialpad/" + appId);
            for (SimulatedEvents.Event event : SimulatedEvents.of(calls, root.random, root.clock.instant())) {
                int status = post(target, SimulatedEvents.sign(event.payload(), secret.get(), JSON), err);
                out.println(event.description() + ": " + (status < 0 ? "not sent" : Integer.toString(status)));
                out.flush();
                if (status != 200) {
                    err.println("switchboard: " + target + " did not accept the event (is the server running there?"
                            + " --url sets another address)");
                    return 1;
                }
            }
            return 0;
        }

        /**
         * Sets a fresh simulation secret for the app (the row is created once and reused, its secret replaced on
         * each run, so no simulation secret outlives its run's use) and audits it; empty after a message when the
         * app does not exist or is inactive.
         */
        private Optional<String> simulationSecret(CommandDatabase database, URI base, PrintWriter err) {
            Optional<App> app = JdbiAppStore.create(database.database(), root.clock).find(appId);
            if (app.isEmpty()) {
                appNotFound(err, appId);
                return Optional.empty();
            }
            if (!app.get().active()) {
                err.println("switchboard: the app " + appId + " is inactive; activate it first");
                return Optional.empty();
            }
            SecretCipher cipher = SecretCipher.fromKeyRing(
                    database.configuration().secrets().requireTokenEncryptionKey().value(), root.random);
            JdbiDialpadWebhookStore webhooks = JdbiDialpadWebhookStore.create(database.database(), cipher, root.clock);
            boolean existed = webhooks.list(appId).stream()
                    .anyMatch(webhook -> webhook.dialpadWebhookId().equals(SIMULATION_WEBHOOK_ID));
            byte[] bytes = new byte[32];
            root.random.nextBytes(bytes);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            String hookUrl = stripSlash(base.toString()) + "/webhooks/dialpad/" + appId;
            DialpadWebhook saved = webhooks.save(new NewDialpadWebhook(appId, SIMULATION_WEBHOOK_ID, hookUrl,
                    new DialpadWebhookSecret(secret), List.of()));
            Map<String, String> details = new LinkedHashMap<>();
            details.put("webhook_id", saved.id().toString());
            details.put("dialpad_webhook_id", SIMULATION_WEBHOOK_ID);
            details.put("hook_url", hookUrl);
            details.put("purpose", existed ? "simulation secret replaced" : "simulation");
            JdbiAuditLog.create(database.database()).record(new AuditEvent(root.clock.instant(),
                    AuditEventType.WEBHOOK_CREATED, Optional.of(appId), ACTOR, Optional.empty(), details));
            return Optional.of(secret);
        }

        /** The status of the POST, or -1 after a message when nothing answered. */
        private static int post(URI target, String jwt, PrintWriter err) {
            HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/jwt")
                    .POST(HttpRequest.BodyPublishers.ofString(jwt)).build();
            try {
                return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                err.println("switchboard: could not reach " + target + ": " + e.getClass().getSimpleName());
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        private static String stripSlash(String base) {
            return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        }
    }
}
