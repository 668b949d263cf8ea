# kafka-backup on the official Deno image, at the Deno version the project pins
# (test/services/versions.sh). Build: docker build -t kafka-backup .
# Run: docker run --rm -v $PWD/jobs:/jobs:ro -v /backups:/archive kafka-backup backup --once /jobs/backup.json
FROM denoland/deno:debian-2.9.6

WORKDIR /app
# Dependencies first, so a code change does not download them again.
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY . .
# Every module the tool loads, Workers and cloud SDKs included, compiled into the image's cache.
RUN deno cache --frozen kafka-backup.ts lib/backup/worker.ts lib/restore/worker.ts \
      lib/storage/s3.ts lib/storage/azure.ts \
  && chown -R deno:deno /app /deno-dir

# Job files and the archive (or, for S3 and Azure, the staging directory) are volumes.
# Secrets come from the environment at run time (${VAR} in job files); none is in the image.
VOLUME ["/jobs", "/archive"]
USER deno
ENTRYPOINT ["deno", "run", "--cached-only", "--allow-net", "--allow-read", "--allow-write", \
  "--allow-env", "--allow-sys", "/app/kafka-backup.ts"]
CMD ["--help"]
