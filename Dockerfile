# azmw as a container: `deno compile` in a build stage, then the single executable on a minimal, non-root
# runtime image. Build: docker build -t azmw .   Run: see compose.yaml and README ("Shipping").
# (Not built on the machine this repository is developed on: it has no container engine.)

FROM denoland/deno:debian-2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock main.ts ./
COPY src ./src
RUN deno task compile \
  && mkdir -p /out/var/lib/azmw /out/etc/azmw \
  && cp dist/azmw /out/azmw

# distroless/cc carries glibc and libgcc, which the compiled Deno runtime needs; no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/azmw /usr/local/bin/azmw
COPY --from=build --chown=65532:65532 /out/var/lib/azmw /var/lib/azmw
COPY --from=build --chown=65532:65532 /out/etc/azmw /etc/azmw
USER 65532:65532
WORKDIR /var/lib/azmw
VOLUME ["/var/lib/azmw"]
EXPOSE 8787
ENV AZMW_CONFIG=/etc/azmw/config.yaml
# `azmw status` reads the pid file in the data dir and asks the gateway's /health: exit 0 when it answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/azmw", "status", "--data-dir", "/var/lib/azmw"]
ENTRYPOINT ["/usr/local/bin/azmw"]
CMD ["serve", "--data-dir", "/var/lib/azmw", "--host", "0.0.0.0"]
