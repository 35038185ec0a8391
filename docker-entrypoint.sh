#!/bin/sh
# `serve` (the default) migrates first, then starts uvicorn with $WEB_CONCURRENCY workers
# (serve checks the settings and the database first and refuses in one line if they are
# not fit). Any other arguments run the smallworks command as given (e.g. `check`,
# `gen-keys`, `create-admin ...`).
set -e
if [ "$1" = "serve" ]; then
    shift
    smallworks migrate
    exec smallworks serve --host 0.0.0.0 --port "${PORT:-8000}" --workers "${WEB_CONCURRENCY:-4}" "$@"
fi
exec smallworks "$@"
