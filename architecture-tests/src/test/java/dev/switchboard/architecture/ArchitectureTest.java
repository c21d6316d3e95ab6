package dev.switchboard.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Checks the {@link HouseRules} over the compiled main classes of every Switchboard module. */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.switchboard");
    }

    @TestFactory
    Stream<DynamicTest> houseRulesHoldForEveryModule() {
        return HouseRules.all(HouseRules.SWITCHBOARD).entrySet().stream()
                .map(rule -> DynamicTest.dynamicTest(rule.getKey(), () -> rule.getValue().check(main)));
    }

    @Test
    void importWhenRunThenSeesTheMainClassesOfEveryModule() {
        // If the classpath lost a module, the rules would check less than they claim.
        HouseRules.Layout layout = HouseRules.SWITCHBOARD;
        for (String module : List.of(layout.core(), layout.persistence(), layout.dialpad(), layout.http(),
                layout.app(), layout.testkit())) {
            String prefix = module.substring(0, module.length() - 2);
            assertThat(main.stream().filter(c -> c.getPackageName().startsWith(prefix)))
                    .as("main classes under %s", prefix).isNotEmpty();
        }
        assertThat(main.stream().filter(c -> c.getSource().map(s -> s.getUri().toString().contains("test-classes"))
                .orElse(false))).as("test classes imported").isEmpty();
    }
}
