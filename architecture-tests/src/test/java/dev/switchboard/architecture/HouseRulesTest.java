package dev.switchboard.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Guards the guards: the rules fail on fixtures that break them, pass where they hold, and never match nothing. */
class HouseRulesTest {
    private static final String F = "dev.switchboard.architecture.fixtures.";
    private static final HouseRules.Layout FIXTURES = new HouseRules.Layout(F + "core..", F + "persistence..",
            F + "dialpad..", F + "http..", F + "app..", F + "testkit..", F + "bench..");

    private static JavaClasses fixtures;
    private static Map<String, com.tngtech.archunit.lang.ArchRule> rules;

    @BeforeAll
    static void importFixtures() {
        fixtures = new ClassFileImporter().importPackages("dev.switchboard.architecture.fixtures");
        rules = HouseRules.all(FIXTURES);
    }

    @Test
    void coreRulesWhenCoreUsesJdbcAndAnAdapterThenFail() {
        assertThatThrownBy(() -> rules.get("core touches no JDBC and no HTTP client").check(fixtures))
                .hasMessageContaining("CoreUsingJdbc");
        assertThatThrownBy(() -> rules.get(HouseRules.CORE_LIBRARIES).check(fixtures))
                .hasMessageContaining("org.jdbi.v3.core.Jdbi");
        assertThatThrownBy(() -> rules.get("core depends on no adapter, app, testkit or bench").check(fixtures))
                .hasMessageContaining("HttpThing");
    }

    @Test
    void coreRulesWhenCoreUsesJacksonThenOnlyItsAnnotationsFail() {
        assertThatThrownBy(() -> rules.get(HouseRules.CORE_LIBRARIES).check(fixtures))
                .hasMessageContaining("com.fasterxml.jackson.annotation.JsonProperty")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("CoreUsingJackson"));
        assertThatThrownBy(() -> rules.get("core carries no Jackson annotations").check(fixtures))
                .hasMessageContaining("CoreWithJsonAnnotations")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("CoreUsingJackson"));
    }

    @Test
    void adapterRulesWhenOneAdapterUsesAnotherThenFail() {
        assertThatThrownBy(() -> rules.get(F + "persistence.. depends on no other adapter").check(fixtures))
                .hasMessageContaining("StoreUsingHttp");
        assertThatThrownBy(() -> rules.get("only app depends on " + F + "http..").check(fixtures))
                .hasMessageContaining("StoreUsingHttp");
        assertThatCode(() -> rules.get("only app depends on " + F + "dialpad..").check(fixtures))
                .doesNotThrowAnyException();
    }

    @Test
    void libraryRulesWhenJdbiUsedOutsidePersistenceThenFail() {
        assertThatThrownBy(() -> rules.get("JDBI, HikariCP, Flyway, PostgreSQL only in the persistence adapter")
                .check(fixtures)).hasMessageContaining("HttpThing");
        assertThatCode(() -> rules.get("Nimbus only in the Dialpad adapter").check(fixtures))
                .doesNotThrowAnyException();
    }

    @Test
    void testkitRuleWhenServerClassUsesTheTestkitThenFails() {
        assertThatThrownBy(() -> rules.get("no server class reaches the testkit").check(fixtures))
                .hasMessageContaining("FakeThing");
    }

    @Test
    void cyclesRuleWhenTwoCoreFeaturePackagesDependOnEachOtherThenReportsTheCycle() {
        EvaluationResult result = HouseRules.coreFeaturesFreeOfCycles(FIXTURES.core()).evaluate(fixtures);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString())
                .contains("core feature 'calls'", "core feature 'webhook'", "CallFixture", "WebhookFixture")
                .doesNotContain("core feature 'json'");
        assertThatThrownBy(() -> rules.get(HouseRules.CORE_FEATURES_ACYCLIC).check(fixtures))
                .hasMessageContaining("Cycle detected");
    }

    @Test
    void cyclesRuleWhenSharedVocabularyIsOnlyUsedOneWayThenPasses() {
        JavaClasses withoutBackEdge = fixtures.that(DescribedPredicate.not(
                JavaClass.Predicates.simpleName("WebhookFixture")));

        assertThat(HouseRules.coreFeaturesFreeOfCycles(FIXTURES.core()).evaluate(withoutBackEdge).hasViolation())
                .isFalse();
    }

    @Test
    void clockRuleWhenCoreReadsTheSystemClockThenReportsEveryRead() {
        EvaluationResult result = HouseRules.coreReadsTimeFromAClock(FIXTURES.core()).evaluate(fixtures);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains("java.time.Instant.now()"))
                .anySatisfy(line -> assertThat(line).contains("java.time.Clock.systemUTC()"))
                .anySatisfy(line -> assertThat(line).contains("java.lang.System.currentTimeMillis()"))
                .anySatisfy(line -> assertThat(line).contains("java.lang.System.nanoTime()"))
                .anySatisfy(line -> assertThat(line).contains("java.time.OffsetDateTime.now()"))
                .allSatisfy(line -> assertThat(line).contains("ReadsTheSystemClock"));
        assertThatThrownBy(() -> rules.get(HouseRules.CORE_TIME_FROM_CLOCK).check(fixtures))
                .hasMessageContaining("ReadsTheSystemClock");
    }

    @Test
    void clockRuleWhenCoreReadsTimeFromAnInjectedClockThenPasses() {
        JavaClasses clockUsers = fixtures.that(JavaClass.Predicates.simpleName("TakesAClock"));

        assertThat(clockUsers).isNotEmpty();
        assertThat(HouseRules.coreReadsTimeFromAClock(FIXTURES.core()).evaluate(clockUsers).hasViolation())
                .isFalse();
    }

    @Test
    void rulesWhenTheirSubjectMatchesNoClassThenFailInsteadOfPassing() {
        HouseRules.Layout empty = new HouseRules.Layout("nowhere.core..", "nowhere.persistence..",
                "nowhere.dialpad..", "nowhere.http..", "nowhere.app..", "nowhere.testkit..", "nowhere.bench..");
        HouseRules.all(empty).forEach((name, rule) ->
                assertThatThrownBy(() -> rule.check(fixtures)).as(name).hasMessageContaining("failed to check any classes"));
        assertThat(HouseRules.all(empty)).hasSize(HouseRules.all(HouseRules.SWITCHBOARD).size());
    }
}
