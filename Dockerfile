# syntax=docker/dockerfile:1
#
# casebot: a small, non-root image of `casebot serve` (docs/deploy.md).
#
#   docker build -t casebot .
#   docker run --rm --env-file .env -p 3000:3000 casebot            # serve (the default)
#   docker run --rm --env-file .env casebot migrate                   # release step
#
# Two stages: the builder makes a wheel of the project and installs it, with its dependencies,
# into a virtual environment; the runtime stage copies only that environment. The dependencies
# have binary wheels for CPython 3.11 on amd64 and arm64, so neither stage needs a compiler.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- builder -------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Only what the wheel is built from (pyproject.toml packages bot, handlers, blocks, storage;
# README.md is its long description), and requirements.lock, the versions `make test` passed
# with: the image installs exactly those. Tests, docs and benchmarks stay out of the image.
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY handlers ./handlers
COPY blocks ./blocks
COPY storage ./storage

# The Alembic migrations are package data (pyproject.toml [tool.setuptools.package-data]):
# `casebot migrate` and `serve` read them from the installed package, so the build stops here
# if the wheel came out without them. The venv is made without pip: the runtime needs none.
# pip itself is first brought to the locked version; the build backend is pinned in pyproject.toml.
RUN python -m pip install --quiet --constraint requirements.lock --upgrade pip \
 && python -m pip wheel --quiet . --no-deps -w /wheels \
 && python -m zipfile -l /wheels/casebot-*.whl | grep 'storage/migrations/env.py' >/dev/null \
 && python -m zipfile -l /wheels/casebot-*.whl | grep 'storage/migrations/versions/0001_' >/dev/null \
 && python -m venv --without-pip /opt/venv \
 && python -m pip --python /opt/venv/bin/python install --quiet --constraint requirements.lock /wheels/casebot-*.whl

# ---- runtime -------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="casebot" \
      org.opencontainers.image.description="Slack bot for probation case allocation in England and Wales"

# CASEBOT_HOST: listen on every interface inside the container (the code's default is
# 127.0.0.1, which nothing outside the container could reach).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CASEBOT_HOST=0.0.0.0 \
    PATH="/opt/venv/bin:${PATH}"

# A fixed, numeric non-root user, so an orchestrator's runAsNonRoot can check it. /app is its
# working directory (a SQLite trial database would be written there; production uses PostgreSQL).
RUN groupadd --system --gid 10001 casebot \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin casebot \
 && mkdir -p /app \
 && chown 10001:10001 /app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER 10001:10001

EXPOSE 3000

# GET /healthz: 200 when the database answers, 503 when not (bot/runtime/web.py). The slim image has no
# curl, so Python asks; any error or non-2xx answer raises and exits 1 (unhealthy).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CASEBOT_PORT', '3000'), timeout=4)"]

# `casebot` is PID 1 and handles SIGTERM itself (bot/runtime/serve.py): it stops taking requests, lets
# the outbox worker finish its current sends and closes the database.
ENTRYPOINT ["casebot"]
CMD ["serve"]
