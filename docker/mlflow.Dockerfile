# syntax=docker/dockerfile:1
# MLflow tracking server + model registry (PostgreSQL backend store, proxied artifacts under /mlflow/artifacts).
# The full `mlflow server ...` command line is in docker-compose.yml (it carries the backend-store URI).
# mlflow is pinned to the version scripts/versions.sh installs for local development.
FROM python:3.11-slim-bookworm

RUN pip install --no-cache-dir --disable-pip-version-check mlflow==3.17.2 psycopg2-binary==2.9.13

# uid 1000, like the workers; the artifact folder exists (and is owned by it) before the volume is mounted,
# so a fresh named volume takes over that ownership.
RUN useradd --uid 1000 --create-home mlflow \
    && mkdir -p /mlflow/artifacts \
    && chown -R mlflow:mlflow /mlflow
USER mlflow
WORKDIR /mlflow

EXPOSE 5000
CMD ["mlflow", "server", "--host", "0.0.0.0", "--port", "5000", "--serve-artifacts", "--artifacts-destination", "/mlflow/artifacts"]
