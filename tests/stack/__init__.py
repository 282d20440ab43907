"""The production stack without Docker: PostgreSQL, Redis, the CeleryExecutor and two workers."""
