"""newsflow: news ingestion on Apache Airflow."""

__version__ = "0.1.0"
