# syntax=docker/dockerfile:1
#
# Switchboard's container image: the Maven wrapper builds the runnable jar in a JDK, a JRE runs it as a non-root
# user. `docker build -t switchboard .` builds everything from the sources (docs/quickstart.md, section 3).
#
# The base images are arguments so that a builder without access to Docker Hub can use its own (the CI does,
# .ci/container). `--target runtime-context` skips the Maven stage and takes the jar already built in the build
# context (app/target/switchboard.jar, from `./mvnw -B -q -DskipTests package`): the same image around the jar that
# was tested.
ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 (dependencies and the wrapper's Maven) between builds.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package

FROM ${JRE_IMAGE} AS runtime-base
# A fixed uid, so that a volume prepared on the host (or by an orchestrator's fsGroup) can be given to it.
RUN groupadd --gid 10001 switchboard \
    && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin switchboard \
    && mkdir -p /app/data \
    && chown 10001:10001 /app/data \
    && chmod 700 /app/data
WORKDIR /app
# The server keeps its sandbox state (generated secrets, the embedded PostgreSQL) in ./data, that is /app/data.
# With DATABASE_URL and every secret set (production) nothing is written there.
VOLUME ["/app/data"]
USER 10001:10001
# The start options of the README; `docker run -e JDK_JAVA_OPTIONS=...` replaces them (docs/configuration.md,
# "Memory"). The java launcher notes on stderr that it picked them up.
ENV JDK_JAVA_OPTIONS="-Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
    PORT=4000
EXPOSE 4000
# A JRE image has no curl; bash can speak enough HTTP over /dev/tcp to ask /health.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-4000} && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# Any command of docs/cli.md can follow the image name: `docker run --rm switchboard check-config`.
ENTRYPOINT ["java", "-jar", "/app/switchboard.jar"]
CMD ["serve"]

# The jar built beforehand, from the build context.
FROM runtime-base AS runtime-context
COPY --chown=0:0 app/target/switchboard.jar /app/switchboard.jar

# The default: the jar the build stage made.
FROM runtime-base AS runtime
COPY --from=build --chown=0:0 /src/app/target/switchboard.jar /app/switchboard.jar
