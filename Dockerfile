# Production image: non-root, migrations on start, uvicorn with several workers.
# The build stage installs exactly what uv.lock pins (runtime dependencies and the otel
# extra for tracing, no test extra) and the project itself into /opt/smallworks, a
# virtual environment the final stage copies as it is (both stages have Python at the
# same path).
FROM python:3.11-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc libffi-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir --disable-pip-version-check 'uv==0.13.9'
ENV UV_PROJECT_ENVIRONMENT=/opt/smallworks UV_PYTHON_DOWNLOADS=never UV_PYTHON_PREFERENCE=only-system UV_PYTHON=3.11 \
    UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_NO_CACHE=1
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-editable --no-install-project --extra otel
COPY app app
COPY schema schema
COPY resolvers resolvers
COPY models models
COPY policies policies
COPY workers workers
COPY migrations migrations
RUN uv sync --locked --no-dev --no-editable --extra otel

FROM python:3.11-slim
# Uploaded documents go to /srv/smallworks/storage and archived invoices to
# /srv/smallworks/archive (volumes in docker-compose.yml); the default, var/ beside the code,
# is inside the installed packages and not writable here.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SMALLWORKS_ENV=production WEB_CONCURRENCY=4 PORT=8000 \
    SMALLWORKS_STORAGE_DIR=/srv/smallworks/storage SMALLWORKS_ARCHIVE_DIR=/srv/smallworks/archive PATH=/opt/smallworks/bin:$PATH
RUN groupadd --system smallworks && useradd --system --gid smallworks --home-dir /srv/smallworks --create-home smallworks \
    && install -d -o smallworks -g smallworks /srv/smallworks/storage /srv/smallworks/archive
COPY --from=build /opt/smallworks /opt/smallworks
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER smallworks
WORKDIR /srv/smallworks
EXPOSE 8000
# Liveness (/healthz answers while the process does); load balancers ask /readyz.
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/healthz')"
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["serve"]
