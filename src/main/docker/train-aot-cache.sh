#!/usr/bin/env bash
# Trains a JDK 25 AOT cache (JEP 483/514) for the packaged server: starts it with -XX:AOTCacheOutput, waits for
# /ready, runs one short completion, and stops it with SIGTERM, at which the JVM writes the cache.
#   train-aot-cache.sh APP_DIR [JAVA]   APP_DIR holds quarkus-run.jar; writes APP_DIR/app.aot
# Use the cache with the same JVM options (module flags and GC included), the same JDK and the same jar files:
#   java <options> -XX:AOTCache=APP_DIR/app.aot -jar APP_DIR/quarkus-run.jar
# The JVM checks all three and runs without the cache (with a warning) when any differs. Needs only bash (HTTP over
# /dev/tcp), so it runs inside minimal images too.
set -euo pipefail

app=${1:?usage: train-aot-cache.sh APP_DIR [JAVA]}
java=${2:-java}
port=${STARLING_TRAINING_PORT:-18081}
# The image's fixed JVM options; src/main/docker/Dockerfile.jvm and the Jib profile start the server with exactly these.
read -r -a flags <<< "${STARLING_JVM_FLAGS:---add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -XX:MaxNewSize=4m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=1000 -XX:+UseCompactObjectHeaders}"

rm -f "$app/app.aot"
QUARKUS_HTTP_PORT=$port QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    "$java" "${flags[@]}" -XX:AOTCacheOutput="$app/app.aot" -jar "$app/quarkus-run.jar" serve >/dev/null 2>&1 &
pid=$!

# Prints the status line of one HTTP/1.0 exchange.
http() {
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf '%b' "$1" >&3
    head -1 <&3
    exec 3>&-
}

for _ in $(seq 600); do
    if http 'GET /ready HTTP/1.0\r\n\r\n' 2>/dev/null | grep -q ' 200 '; then break; fi
    kill -0 "$pid" 2>/dev/null || { echo "train-aot-cache: the server exited during start-up" >&2; exit 1; }
    sleep 0.1
done
body='{"prompt":"Once upon a time","max_tokens":16,"temperature":0}'
http "POST /v1/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\n\r\n$body" | grep -q ' 200 ' \
    || { kill -TERM "$pid"; echo "train-aot-cache: the training completion failed" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid"
[ -s "$app/app.aot" ] || { echo "train-aot-cache: no cache written to $app/app.aot" >&2; exit 1; }
echo "train-aot-cache: wrote $app/app.aot ($(du -h "$app/app.aot" | cut -f1))"
