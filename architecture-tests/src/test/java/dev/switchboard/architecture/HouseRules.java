package dev.switchboard.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget.CodeUnitAccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.lang.ArchRule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The house rules of {@code docs/architecture.md} ("Rules the build enforces") as ArchUnit rules over a
 * {@link Layout} of package names, so the same rules run over the real modules and, in {@link HouseRulesTest}, over
 * fixtures that break them on purpose.
 *
 * <p>Every rule keeps ArchUnit's default {@code failOnEmptyShould}: a rule whose subject matches no class fails
 * instead of passing vacuously, so a renamed package cannot silently switch a rule off.
 */
final class HouseRules {
    /** Where each module's classes live ({@code ..} patterns). */
    record Layout(String core, String persistence, String dialpad, String http, String app, String testkit,
                  String bench) {
        List<String> adapters() {
            return List.of(persistence, dialpad, http);
        }

        String[] server() {
            return new String[] {core, persistence, dialpad, http, app};
        }
    }

    static final Layout SWITCHBOARD = new Layout("dev.switchboard.core..", "dev.switchboard.persistence..",
            "dev.switchboard.dialpad..", "dev.switchboard.http..", "dev.switchboard.app..",
            "dev.switchboard.testkit..", "dev.switchboard.bench..");

    /** The name of the rule that keeps core's feature packages out of dependency cycles. */
    static final String CORE_FEATURES_ACYCLIC = "core's feature packages depend on each other without cycles";
    /** The name of the rule that makes core read time only from an injected clock. */
    static final String CORE_TIME_FROM_CLOCK = "core reads time only from an injected java.time.Clock";

    /** The name of the rule that lists what core may use. */
    static final String CORE_LIBRARIES = "core depends only on the JDK, slf4j-api, bcrypt and Jackson core and databind";

    private HouseRules() {
    }

    /** Every rule by name, in a stable order. */
    static Map<String, ArchRule> all(Layout layout) {
        Map<String, ArchRule> rules = new LinkedHashMap<>();
        rules.put(CORE_LIBRARIES, coreIsFrameworkFree(layout));
        rules.put("core carries no Jackson annotations", coreHasNoJsonAnnotations(layout));
        rules.put("core touches no JDBC and no HTTP client", coreHasNoIo(layout));
        rules.put("core depends on no adapter, app, testkit or bench", coreIsInnermost(layout));
        rules.put(CORE_FEATURES_ACYCLIC, coreFeaturesFreeOfCycles(layout.core()));
        rules.put(CORE_TIME_FROM_CLOCK, coreReadsTimeFromAClock(layout.core()));
        for (String adapter : layout.adapters()) {
            rules.put(adapter + " depends on no other adapter", adapterIsolated(layout, adapter));
            rules.put("only app depends on " + adapter, onlyAppUses(layout, adapter));
        }
        rules.put("Javalin and Jetty only in the HTTP adapter", confined(layout, layout.http(), "io.javalin..",
                "org.eclipse.jetty.."));
        rules.put("JDBI, HikariCP, Flyway, PostgreSQL only in the persistence adapter", confined(layout,
                layout.persistence(), "org.jdbi..", "com.zaxxer.hikari..", "org.flywaydb..", "org.postgresql..",
                "io.zonky..", "io.github.bucket4j.postgresql.."));
        rules.put("Nimbus only in the Dialpad adapter", confined(layout, layout.dialpad(), "com.nimbusds.."));
        rules.put("no server class reaches the testkit", noClasses().that().resideInAnyPackage(layout.server())
                .should().dependOnClassesThat().resideInAPackage(layout.testkit())
                .because("the testkit (fake Dialpad, throwaway databases) is for tests and benchmarks only"));
        return rules;
    }

    static ArchRule coreIsFrameworkFree(Layout layout) {
        return classes().that().resideInAPackage(layout.core())
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        layout.core(), "java..", "javax.crypto..", "org.slf4j..", "at.favre.lib.crypto.bcrypt..",
                        "com.fasterxml.jackson.core..", "com.fasterxml.jackson.databind..")
                .because("core is framework-free: teams embed it in their own JVM services; Jackson is its one "
                        + "JSON stack, configured once with hard limits");
    }

    static ArchRule coreHasNoJsonAnnotations(Layout layout) {
        return noClasses().that().resideInAPackage(layout.core())
                .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson.annotation..")
                .because("jackson-annotations is on core's classpath only as databind's own dependency: core's "
                        + "types stay plain and JSON is read and written by explicit code");
    }

    static ArchRule coreHasNoIo(Layout layout) {
        return noClasses().that().resideInAPackage(layout.core())
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "java.net.http..")
                .because("databases and remote calls sit behind ports, implemented by adapters");
    }

    static ArchRule coreIsInnermost(Layout layout) {
        return noClasses().that().resideInAPackage(layout.core())
                .should().dependOnClassesThat().resideInAnyPackage(layout.persistence(), layout.dialpad(),
                        layout.http(), layout.app(), layout.testkit(), layout.bench());
    }

    static ArchRule adapterIsolated(Layout layout, String adapter) {
        String[] others = Stream.concat(layout.adapters().stream().filter(other -> !other.equals(adapter)),
                Stream.of(layout.app())).toArray(String[]::new);
        return noClasses().that().resideInAPackage(adapter)
                .should().dependOnClassesThat().resideInAnyPackage(others)
                .because("adapters talk to each other only through core's ports, wired by app");
    }

    static ArchRule onlyAppUses(Layout layout, String adapter) {
        return noClasses().that().resideInAnyPackage(layout.server())
                .and().resideOutsideOfPackages(adapter, layout.app())
                .should().dependOnClassesThat().resideInAPackage(adapter)
                .because("app wires the adapters with plain constructors");
    }

    /** No server class outside {@code home} may use any of {@code libraries}; testkit and benchmarks may. */
    static ArchRule confined(Layout layout, String home, String... libraries) {
        return noClasses().that().resideInAnyPackage(layout.server())
                .and().resideOutsideOfPackage(home)
                .should().dependOnClassesThat().resideInAnyPackage(libraries)
                .because("each library stays inside the one adapter that wraps it");
    }

    /**
     * No cycle between the feature packages directly under {@code core} (a {@code ..} pattern such as
     * {@code dev.switchboard.core..}): an embedder can take one feature without the rest, and vocabulary two
     * features share lives in a package of its own.
     */
    static ArchRule coreFeaturesFreeOfCycles(String core) {
        return slices().matching(root(core) + ".(*)..").namingSlices("core feature '$1'")
                .should().beFreeOfCycles()
                .because("a feature package is a unit an embedder can take or leave; shared vocabulary lives in "
                        + "its own package");
    }

    /**
     * No class under {@code core} reads the system clock: the {@code now()} methods of {@code java.time} without a
     * {@code Clock} argument, {@code Clock.system*()}, {@code System.currentTimeMillis()}, {@code System.nanoTime()}
     * or {@code new Date()}. Method references count as well as calls.
     */
    static ArchRule coreReadsTimeFromAClock(String core) {
        // the in-memory adapters of core's test fixtures are test code: they may wait in real time for a worker
        return noClasses().that().resideInAPackage(core).and().resideOutsideOfPackage("dev.switchboard.core.testing..")
                .should().accessTargetWhere(READS_THE_SYSTEM_CLOCK)
                .because("core takes a java.time.Clock, so every decision that depends on time is testable and an "
                        + "embedder decides which clock it runs on");
    }

    private static final Set<String> DATE_TIME_TYPES = Set.of("java.time.Instant", "java.time.LocalDate",
            "java.time.LocalDateTime", "java.time.LocalTime", "java.time.OffsetDateTime", "java.time.OffsetTime",
            "java.time.ZonedDateTime", "java.time.Year", "java.time.YearMonth", "java.time.MonthDay");

    private static final DescribedPredicate<JavaAccess<?>> READS_THE_SYSTEM_CLOCK =
            DescribedPredicate.describe("reads the system clock", access -> {
                String owner = access.getTargetOwner().getFullName();
                String name = access.getTarget().getName();
                List<String> parameters = access.getTarget() instanceof CodeUnitAccessTarget unit
                        ? unit.getRawParameterTypes().stream().map(HasName::getName).toList()
                        : List.of();
                if (DATE_TIME_TYPES.contains(owner)) {
                    return name.equals("now") && !parameters.contains("java.time.Clock");
                }
                return switch (owner) {
                    case "java.time.Clock" -> name.startsWith("system");
                    case "java.lang.System" -> name.equals("currentTimeMillis") || name.equals("nanoTime");
                    case "java.util.Date" -> name.equals("<init>") && parameters.isEmpty();
                    default -> false;
                };
            });

    /** {@code dev.switchboard.core..} without its {@code ..}. */
    private static String root(String pattern) {
        return pattern.endsWith("..") ? pattern.substring(0, pattern.length() - 2) : pattern;
    }
}
