# playlist-worker: one image for the scheduled worker, one-off commands and the offline sandbox.
#   docker compose up -d                 the scheduled worker (secrets from .env, see .env.example)
#   docker compose --profile demo up     the whole thing offline against the sandbox
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY worker ./worker
RUN pip install . && rm -rf /src

# The working folder holds content/ and config/ (mounted) and .playlist-worker/ (the state volume).
RUN useradd --create-home --uid 1000 worker \
    && mkdir -p /data/content /data/config /data/.playlist-worker \
    && chown -R worker /data
WORKDIR /data
COPY --chown=worker config ./config
USER worker

ENTRYPOINT ["playlist-worker"]
CMD ["schedule", "--log-format", "json"]
