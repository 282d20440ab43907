"""The switch between the embedded server and the real-engine lane, and the lane's own report
of whether this machine can run it (`tests/engine/run.sh --status`, printed by `make test`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from newsflow.config import Settings
from newsflow.index.client import PlainJsonNode, make_client
from newsflow.index.embedded import EmbeddedSearch, ExternalSearch, search_engine

RUN_SH = Path(__file__).resolve().parents[2] / "engine" / "run.sh"


def test_without_the_variable_the_tests_get_the_embedded_server() -> None:
    engine = search_engine({})
    assert isinstance(engine, EmbeddedSearch) and engine.embedded


def test_with_the_variable_the_tests_get_the_real_engine_and_the_unmodified_client() -> None:
    engine = search_engine({"NEWSFLOW_TEST_ES_URL": "http://127.0.0.1:9201/"})
    assert isinstance(engine, ExternalSearch) and not engine.embedded
    with engine as server:  # starts and stops nothing
        settings = server.settings(Settings(es_username="elastic", es_password="pw", index_alias="t1"))
    assert (settings.es_url, settings.es_embedded, settings.es_username) == (
        "http://127.0.0.1:9201",
        False,
        "",
    )
    assert settings.index_alias == "t1"
    client = make_client(settings)
    assert not any(isinstance(node, PlainJsonNode) for node in client.transport.node_pool.all())


def _status(env: dict[str, str]) -> str:
    full = {k: v for k, v in os.environ.items() if k not in ("ES_JAVA_HOME", "JAVA_HOME")} | env
    done = subprocess.run(
        ["bash", str(RUN_SH), "--status"], env=full, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_status_says_plainly_why_the_lane_cannot_run(tmp_path: Path) -> None:
    """A machine whose only Java is older than 21 (a fake JDK 17 here): the lane is named as not run."""
    jdk = tmp_path / "jvm" / "jdk-17"
    (jdk / "bin").mkdir(parents=True)
    for tool in ("java", "javac"):
        (jdk / "bin" / tool).write_text("#!/bin/sh\nexit 0\n")
        (jdk / "bin" / tool).chmod(0o755)
    (jdk / "release").write_text('JAVA_VERSION="17.0.15"\n')
    line = _status({"ENGINE_JVM_DIR": str(tmp_path / "jvm"), "JAVA_HOME": str(jdk)})
    assert line.startswith("real-engine lane: NOT RUN on this machine: no Java 21+ JDK found"), line


def test_status_names_the_jdk_it_would_use(tmp_path: Path) -> None:
    jdk = tmp_path / "jvm" / "jdk-25"
    (jdk / "bin").mkdir(parents=True)
    for tool in ("java", "javac"):
        (jdk / "bin" / tool).write_text("#!/bin/sh\nexit 0\n")
        (jdk / "bin" / tool).chmod(0o755)
    (jdk / "release").write_text('JAVA_VERSION="25.0.3"\n')
    line = _status({"ENGINE_JVM_DIR": str(tmp_path / "jvm"), "PATH": f"{tmp_path}/bin:{os.environ['PATH']}"})
    if "NOT RUN" in line:  # only when this machine has no mvn
        assert "Maven" in line, line
    else:
        assert line.endswith(f"(Java: {jdk})"), line
