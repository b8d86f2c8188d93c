#!/bin/bash -eu
# Builds the Highwater fuzz targets into $OUT, one launcher per target (OSS-Fuzz/ClusterFuzzLite's JVM convention),
# with a seed corpus zip from the checked-in regression inputs.
#
#   in the builder image:  compile            (OUT and SRC set by the image)
#   locally:               OUT=$(mktemp -d) .clusterfuzzlite/build.sh && $OUT/policy_linux_4_8 -max_total_time=10
#
# A launcher uses the image's jazzer_driver when $OUT has one, else Jazzer from Maven Central ($OUT/jazzer.jar, copied
# here), run as `java -cp ... com.code_intelligence.jazzer.Jazzer`.
: "${OUT:?set OUT to the output folder}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir="target-cfl"
jazzer_version="0.26.0"

./mvnw -B -q -DskipTests -Dhw.buildDir="$build_dir" -pl properties -am package \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$OUT/lib"
cp properties/"$build_dir"/highwater-properties-*.jar "$OUT/lib/"
./mvnw -B -q dependency:copy -Dartifact="com.code-intelligence:jazzer:$jazzer_version" \
  -DoutputDirectory="$OUT" -Dmdep.stripVersion=true
mv -f "$OUT/jazzer.jar" "$OUT/jazzer.jar" 2>/dev/null || true
rm -rf model/"$build_dir" properties/"$build_dir" "$build_dir"

cp_jars=$(cd "$OUT/lib" && ls *.jar | sed 's|^|$this_dir/lib/|' | paste -sd: -)
hooks="Deserialization ExpressionLanguageInjection FilePathTraversal LdapInjection NamingContextLookup \
OsCommandInjection ReflectiveCall RegexInjection RegexRoadblocks ScriptEngineInjection ServerSideRequestForgery \
SqlInjection UnsafeSanitizer XPathInjection"
disabled=$(for h in $hooks; do printf 'com.code_intelligence.jazzer.sanitizers.%s,' "$h"; done | sed 's/,$//')
inputs="properties/src/test/resources/dev/highwater/properties/fuzz/FuzzTargetsTestInputs"

java -cp "$(cd "$OUT/lib" && ls -d "$OUT"/lib/*.jar | paste -sd: -)" dev.highwater.properties.fuzz.FuzzTargets |
while read -r name class; do
  fuzzer="${name//[^A-Za-z0-9]/_}"
  cat > "$OUT/$fuzzer" <<LAUNCHER
#!/bin/bash
# LLVMFuzzerTestOneInput -- Highwater fuzz target $name ($class)
this_dir=\$(dirname "\$0")
cp="$cp_jars"
opts=(--target_class=$class --instrumentation_includes='dev.highwater.**' --trace=cov --disabled_hooks=$disabled)
if [[ -x "\$this_dir/jazzer_driver" ]]; then
  LD_LIBRARY_PATH="\${JVM_LD_LIBRARY_PATH:-}":\$this_dir \\
    exec "\$this_dir/jazzer_driver" --agent_path="\$this_dir/jazzer_agent_deploy.jar" --cp="\$cp" \\
      --jvm_args="-Xss8m" "\${opts[@]}" "\$@"
fi
exec java -Xss8m -Djdk.attach.allowAttachSelf=true -cp "\$cp:\$this_dir/jazzer.jar" \\
  com.code_intelligence.jazzer.Jazzer "\${opts[@]}" "\$@"
LAUNCHER
  chmod +x "$OUT/$fuzzer"
  if [[ -d "$inputs/$fuzzer" ]] && [[ -n "$(ls -A "$inputs/$fuzzer")" ]]; then
    seeds=$(mktemp -d)
    cp "$inputs/$fuzzer"/* "$seeds/"
    # a full-length input of zeros: libFuzzer under Jazzer never raises its length limit above the longest seed
    # (TraceDecoder.lengthSeed, Rediscovery LENGTH_SEED); 32 + 32 * 8 bytes, one more for the differential target
    [[ "$fuzzer" == parser ]] || head -c 289 /dev/zero > "$seeds/zeros"
    (cd "$seeds" && jar cfM "$OUT/${fuzzer}_seed_corpus.zip" .)
    rm -rf "$seeds"
  fi
  echo "built $OUT/$fuzzer"
done
