#!/bin/bash -eu
# Builds the Highwater fuzz targets into $OUT, one launcher per target (OSS-Fuzz/ClusterFuzzLite's JVM convention),
# with a seed corpus zip from the checked-in regression inputs and a <fuzzer>.options file; a launcher runs its target
# with the options `highwater fuzz` uses (FuzzerOptions: JVM, instrumentation, libFuzzer search options), and
# $OUT/known_classes.txt: the bug classes the corpus holds, which the policy targets then do not report.
#
#   in the builder image:  compile            (OUT and SRC set by the image)
#   locally:               OUT=$(mktemp -d) .clusterfuzzlite/build.sh && (cd $OUT && ./policy_mainline -max_total_time=10)
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
lib_cp="$(cd "$OUT/lib" && ls -d "$OUT"/lib/*.jar | paste -sd: -)"
inputs="properties/src/test/resources/dev/highwater/properties/fuzz/FuzzTargetsTestInputs"

# how `highwater fuzz` runs a target (FuzzerOptions): JVM options, Jazzer's options, libFuzzer's search options
jvm_opts=() jazzer_opts=() libfuzzer_opts=()
while read -r key rest; do # read -a splits on spaces and expands no globs (the options hold dev.highwater.**)
  case "$key" in
    jvm) read -ra jvm_opts <<< "$rest" ;;
    jazzer) read -ra jazzer_opts <<< "$rest" ;;
    libfuzzer) read -ra libfuzzer_opts <<< "$rest" ;;
  esac
done < <(java -cp "$lib_cp" dev.highwater.properties.fuzz.FuzzTargets --options)
(( ${#jvm_opts[@]} && ${#jazzer_opts[@]} && ${#libfuzzer_opts[@]} )) || { echo "build.sh: no fuzzer options" >&2; exit 1; }
# the bug classes the corpus holds: a policy target does not report them (KnownClasses), so the historic presets'
# targets, which violate their known bugs within a second, go on to look for new classes instead of stopping there
java -cp "$lib_cp" dev.highwater.properties.fuzz.FuzzTargets --known-classes corpus > "$OUT/known_classes.txt"
grep -q '^linux-' "$OUT/known_classes.txt" || { echo "build.sh: no known bug classes from corpus/" >&2; exit 1; }
# jazzer_driver takes the JVM options as one ':'-separated list, a ':' inside an option escaped
driver_jvm=$(for o in "${jvm_opts[@]}"; do printf '%s\n' "${o//:/\\:}"; done | paste -sd: -)
quoted() { local out="" o; for o in "$@"; do out+=" '$o'"; done; printf '%s' "${out# }"; }

java -cp "$lib_cp" dev.highwater.properties.fuzz.FuzzTargets |
while read -r name class; do
  fuzzer="${name//[^A-Za-z0-9]/_}"
  cat > "$OUT/$fuzzer" <<LAUNCHER
#!/bin/bash
# LLVMFuzzerTestOneInput -- Highwater fuzz target $name ($class)
# Runs it as \`highwater fuzz\` does; libFuzzer options given here come after the defaults and win.
this_dir=\$(dirname "\$0")
cp="$cp_jars"
opts=(--target_class=$class $(quoted "${jazzer_opts[@]}"))
search=($(quoted "${libfuzzer_opts[@]}"))
known="" # the bug classes the corpus held at build time are not reported (KnownClasses)
[[ -f "\$this_dir/known_classes.txt" ]] && known="-Dhighwater.fuzz.known=\$this_dir/known_classes.txt"
if [[ -x "\$this_dir/jazzer_driver" ]]; then
  LD_LIBRARY_PATH="\${JVM_LD_LIBRARY_PATH:-}":\$this_dir \\
    exec "\$this_dir/jazzer_driver" --agent_path="\$this_dir/jazzer_agent_deploy.jar" --cp="\$cp" \\
      '--jvm_args=$driver_jvm'"\${known:+:\$known}" "\${opts[@]}" "\${search[@]}" "\$@"
fi
exec java $(quoted "${jvm_opts[@]}") \${known:+"\$known"} -Djdk.attach.allowAttachSelf=true -cp "\$cp:\$this_dir/jazzer.jar" \\
  com.code_intelligence.jazzer.Jazzer "\${opts[@]}" "\${search[@]}" "\$@"
LAUNCHER
  # the same libFuzzer options for ClusterFuzzLite/OSS-Fuzz runs, which read <fuzzer>.options
  { echo "[libfuzzer]"; for o in "${libfuzzer_opts[@]}"; do o="${o#-}"; echo "${o%%=*} = ${o#*=}"; done; } > "$OUT/$fuzzer.options"
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
