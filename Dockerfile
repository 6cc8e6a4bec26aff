# wikigraph API image for server mode (see docs/server-mode.md).
# Build:  docker build -t wikigraph .
# Run:    docker compose up   (brings Neo4j and Qdrant along)

FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# libgomp1: OpenMP runtime that onnxruntime (fastembed) and the embedded graph engine link against.
# Not version-pinned: Debian drops superseded versions from its mirrors, which would break rebuilds.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*


FROM base AS wheel
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .


FROM base
ARG UID=1000
ARG GID=1000

# Dependencies first, from pyproject.toml alone, so that a code change does not reinstall them.
COPY pyproject.toml /tmp/pyproject.toml
RUN python -c "import tomllib; deps = tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/pyproject.toml /tmp/requirements.txt

COPY --from=wheel /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && rm -rf /wheels

# The UID/GID build arguments let the bind-mounted vault stay writable by the host user.
RUN (getent group "$GID" >/dev/null || groupadd --gid "$GID" wikigraph) \
    && useradd --uid "$UID" --gid "$GID" --create-home --shell /usr/sbin/nologin wikigraph \
    && mkdir -p /srv/wikigraph/wiki_content /srv/wikigraph/data /srv/wikigraph/cache \
    && chown -R "$UID:$GID" /srv/wikigraph

ENV WIKIGRAPH_WIKI_DIR=/srv/wikigraph/wiki_content \
    WIKIGRAPH_DATA_DIR=/srv/wikigraph/data \
    FASTEMBED_CACHE_PATH=/srv/wikigraph/cache
WORKDIR /srv/wikigraph
# Numeric, so that the runtime can tell the user is not root without reading /etc/passwd.
USER ${UID}:${GID}

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["wikigraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
