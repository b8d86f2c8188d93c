package dev.highwater.properties.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * JUnit wrappers of the fuzz targets (one method per target; the method name is the target name with {@code _} for
 * punctuation). In {@code ./mvnw -B verify} they run in Jazzer's regression mode: each method runs its checked-in
 * inputs, {@code src/test/resources/dev/highwater/properties/fuzz/FuzzTargetsTestInputs/<method>/} (inputs that
 * reached new coverage and run clean, saved by {@code highwater fuzz --save-inputs N}), and fails on any finding.
 * With {@code JAZZER_FUZZ=1} one method fuzzes for its {@code maxDuration}, e.g.
 * {@code JAZZER_FUZZ=1 ./mvnw -pl properties -am test -Dtest=FuzzTargetsTest#policy_linux_4_8 -Dsurefire.failIfNoSpecifiedTests=false};
 * {@code highwater fuzz} drives the same target classes with Jazzer's own driver instead.
 */
class FuzzTargetsTest {
    @FuzzTest(maxDuration = "10s")
    void policy_linux_2_6_32(byte[] data) {
        Linux2632PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_4_4(byte[] data) {
        Linux44PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_4_7(byte[] data) {
        Linux47PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_4_8(byte[] data) {
        Linux48PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_4_9(byte[] data) {
        Linux49PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_4_10(byte[] data) {
        Linux410PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_6_1(byte[] data) {
        Linux61PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_6_3(byte[] data) {
        Linux63PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_6_8(byte[] data) {
        Linux68PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_linux_6_12(byte[] data) {
        Linux612PolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void policy_mainline(byte[] data) {
        MainlinePolicyFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void differential(byte[] data) {
        DifferentialFuzzer.fuzzerTestOneInput(data);
    }

    @FuzzTest(maxDuration = "10s")
    void parser(byte[] data) {
        TraceParserFuzzer.fuzzerTestOneInput(data);
    }
}
