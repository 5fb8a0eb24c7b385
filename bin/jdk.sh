# Sourced by ./starling and .ci/run: finds a JDK 25 or newer, so nobody has to set JAVA_HOME by hand.
# starling_find_jdk prints its home and returns 0, or prints one line saying what to install and returns 1.

starling_jdk_major() {
    local home=$1 version=""
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
    if [ -r "$home/release" ]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [ -z "$version" ]; then
        version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    fi
    version=${version#1.}
    echo "${version%%[.+-]*}"
}

starling_find_jdk() {
    local wanted=25 candidate major best="" best_major=0
    if [ -n "${JAVA_HOME:-}" ] && major=$(starling_jdk_major "$JAVA_HOME") && [ "$major" -ge "$wanted" ]; then
        echo "$JAVA_HOME"
        return 0
    fi
    local on_path=""
    if command -v java >/dev/null 2>&1; then
        on_path=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    fi
    for candidate in /usr/lib/jvm/* /opt/java/* /usr/java/* /usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
            /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* "$on_path"; do
        [ -d "$candidate" ] || continue
        major=$(starling_jdk_major "$candidate") || continue
        if [ "$major" -ge "$wanted" ] && [ "$major" -gt "$best_major" ]; then
            best=$candidate
            best_major=$major
        fi
    done
    if [ -n "$best" ]; then
        echo "$best"
        return 0
    fi
    echo "starling: Starling needs a JDK $wanted or newer; install one (for example Temurin 25: apt-get install temurin-25-jdk) or set JAVA_HOME to it" >&2
    return 1
}
