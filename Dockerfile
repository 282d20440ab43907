# The Airflow image for the compose stack: the official image plus newsflow installed as a package,
# so `import newsflow` works in DAGs exactly as on a laptop.
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
COPY --chown=airflow:root pyproject.toml README.md /opt/newsflow/
COPY --chown=airflow:root include /opt/newsflow/include
# Editable, so newsflow finds include/ (sources, index template, demo) next to its code.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -e /opt/newsflow
