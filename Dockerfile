# Production image: non-root, migrations on start, uvicorn with several workers.
FROM python:3.11-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc libffi-dev && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY app app
COPY schema schema
COPY resolvers resolvers
COPY models models
COPY policies policies
COPY workers workers
COPY migrations migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SMALLWORKS_ENV=production WEB_CONCURRENCY=4 PORT=8000
RUN groupadd --system smallworks && useradd --system --gid smallworks --home-dir /srv/smallworks --create-home smallworks
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER smallworks
WORKDIR /srv/smallworks
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/healthz')"
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["serve"]
