"""Server-mode packaging: docker-compose.yml and the Dockerfile, checked without a container engine.

Two validators read the compose file: Compose itself (`docker-compose config`, which resolves
variables exactly as `up` would) and the Compose Specification's JSON schema (check-jsonschema).
The wiring the docs promise is then read from the YAML, and each service's healthcheck command
is run for real against a loopback HTTP server standing in for the service's health endpoint.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from api.settings import SETTINGS_CLASSES

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
SERVER_MODE_DOC = REPO / "docs" / "server-mode.md"
INSTALLER = REPO / ".ci" / "install-system-deps.sh"
PASSWORD_VAR = "NEO4J_PASSWORD"
SERVICES = {"neo4j", "qdrant", "api"}
SENTINEL_PASSWORD = "sentinel-Pw-4f7c1e"


# --- helpers -------------------------------------------------------------------------------------


def _compose_file() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _env_without_password() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != PASSWORD_VAR}


def _find_compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def _try_installing_compose() -> str:
    """Runs the project's installer when that can work unattended; returns what it said."""
    if not INSTALLER.exists() or not shutil.which("apt-get") or os.geteuid() != 0:
        return "not attempted (needs root and apt-get)"
    result = subprocess.run(["bash", str(INSTALLER)], capture_output=True, text=True, timeout=900)
    return (result.stderr or result.stdout).strip()[-500:]


@pytest.fixture(scope="module")
def compose_command() -> list[str]:
    command = _find_compose_command()
    if command is None:
        report = _try_installing_compose()
        command = _find_compose_command()
        if command is None:
            pytest.skip(
                "docker-compose is not installed and could not be installed "
                f"(run .ci/install-system-deps.sh as root); installer: {report}"
            )
    return command


def _compose_config(command: list[str], compose_file: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*command, "-f", str(compose_file), "config"],
        cwd=compose_file.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_jsonschema(compose_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(compose_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _with_defaults(text: str) -> str:
    """`${VAR:-default}` replaced by its default, as Compose does when VAR is unset."""
    return re.sub(r"\$\{[A-Za-z0-9_]+:?-([^}]*)\}", r"\1", text)


def _published_ports(service: dict) -> list[tuple[str | None, str]]:
    """(host address or None, the rest) for every published port, short or long syntax."""
    published = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            published.append((port.get("host_ip"), str(port.get("published"))))
            continue
        parts = _with_defaults(str(port)).split(":")
        host_ip = parts[0] if len(parts) == 3 else None
        published.append((host_ip, ":".join(parts[-2:])))
    return published


def _volume_target(volumes: list, target: str) -> str | None:
    for volume in volumes:
        if isinstance(volume, dict):
            if volume.get("target") == target:
                return volume.get("source")
            continue
        source, _, rest = str(volume).partition(":")
        if rest.split(":")[0] == target:
            return source
    return None


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        joined.append(pending + stripped)
        pending = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1] if " " in text else "") for text in joined]


# --- (a) Compose resolves the file, and refuses it without a password ----------------------------


def test_compose_resolves_the_file_when_the_password_is_set(compose_command):
    env = {**_env_without_password(), PASSWORD_VAR: SENTINEL_PASSWORD}
    result = _compose_config(compose_command, COMPOSE_FILE, env)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == SERVICES
    # Both ends of the Neo4j login come from the one variable.
    assert resolved["services"]["neo4j"]["environment"]["NEO4J_AUTH"] == f"neo4j/{SENTINEL_PASSWORD}"
    assert resolved["services"]["api"]["environment"]["WIKIGRAPH_NEO4J_PASSWORD"] == SENTINEL_PASSWORD
    for service in resolved["services"].values():
        assert all(host_ip == "127.0.0.1" for host_ip, _ in _published_ports(service))


def test_compose_refuses_the_file_without_a_password(compose_command):
    result = _compose_config(compose_command, COMPOSE_FILE, _env_without_password())
    assert result.returncode != 0
    assert PASSWORD_VAR in result.stderr
    assert "docs/server-mode.md" in result.stderr


def test_compose_reads_the_password_from_a_dotenv_file(compose_command, tmp_path):
    compose_copy = tmp_path / "docker-compose.yml"
    shutil.copy(COMPOSE_FILE, compose_copy)
    (tmp_path / ".env").write_text(f"{PASSWORD_VAR}={SENTINEL_PASSWORD}\n", encoding="utf-8")
    result = _compose_config(compose_command, compose_copy, _env_without_password())
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["services"]["neo4j"]["environment"]["NEO4J_AUTH"].endswith(SENTINEL_PASSWORD)


# --- (b) the Compose Specification's schema -------------------------------------------------------


def test_compose_file_matches_the_compose_spec_schema():
    result = _check_jsonschema(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_dependency_condition(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        COMPOSE_FILE.read_text(encoding="utf-8").replace("condition: service_healthy", "condition: service_happy", 1),
        encoding="utf-8",
    )
    result = _check_jsonschema(broken)
    assert result.returncode != 0
    assert "service_happy" in result.stdout + result.stderr


# --- wiring ---------------------------------------------------------------------------------------


def test_there_are_exactly_the_three_services():
    assert set(_compose_file()["services"]) == SERVICES


def test_the_api_waits_for_healthy_neo4j_and_qdrant():
    depends_on = _compose_file()["services"]["api"]["depends_on"]
    assert depends_on == {
        "neo4j": {"condition": "service_healthy"},
        "qdrant": {"condition": "service_healthy"},
    }


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_healthcheck(name):
    healthcheck = _compose_file()["services"][name].get("healthcheck") or {}
    assert not healthcheck.get("disable", False)
    test = healthcheck.get("test")
    assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1


def test_the_api_points_at_the_service_hostnames():
    env = _compose_file()["services"]["api"]["environment"]
    neo4j = urlsplit(env["WIKIGRAPH_NEO4J_URI"])
    qdrant = urlsplit(env["WIKIGRAPH_QDRANT_URL"])
    assert (neo4j.scheme, neo4j.hostname, neo4j.port) == ("bolt", "neo4j", 7687)
    assert (qdrant.scheme, qdrant.hostname, qdrant.port) == ("http", "qdrant", 6333)


@pytest.mark.parametrize("path", [COMPOSE_FILE, SERVER_MODE_DOC], ids=lambda path: path.name)
def test_every_wikigraph_variable_named_is_a_real_setting(path):
    known = {f"WIKIGRAPH_{field}".upper() for cls in SETTINGS_CLASSES for field in cls.model_fields}
    named = set(re.findall(r"\bWIKIGRAPH_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    assert named, f"{path.name} names the API's WIKIGRAPH_ settings"
    assert named <= known, f"not settings of the app: {sorted(named - known)}"


def test_the_server_mode_doc_names_the_images_and_variables_the_file_uses():
    doc = SERVER_MODE_DOC.read_text(encoding="utf-8")
    compose_text = COMPOSE_FILE.read_text(encoding="utf-8")
    for name in ("neo4j", "qdrant"):
        assert f"`{_compose_file()['services'][name]['image']}`" in doc
    compose_knobs = set(re.findall(r"\$\{([A-Z0-9_]+)", compose_text))
    assert compose_knobs, "the compose file reads variables"
    assert {knob for knob in compose_knobs if f"`{knob}`" not in doc} == set()


def test_no_password_has_a_literal_or_default_value():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    references = re.findall(r"\$\{" + PASSWORD_VAR + r"([^}]*)\}", text)
    assert len(references) == 2, "NEO4J_AUTH and WIKIGRAPH_NEO4J_PASSWORD both use it"
    assert all(reference.startswith(":?") for reference in references), references
    secret_words = ("PASSWORD", "AUTH", "SECRET", "API_KEY", "TOKEN")
    required = re.compile(r"\$\{[A-Z0-9_]+:\?[^}]*\}")
    for name, service in _compose_file()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if value is None or not any(word in key for word in secret_words):
                continue
            literal = required.sub("", str(value))
            assert literal in ("", "neo4j/"), f"{name}.{key} carries a literal secret: {value!r}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_published_ports_listen_on_loopback_only(name):
    ports = _published_ports(_compose_file()["services"][name])
    assert ports, f"{name} publishes no port"
    assert all(host_ip == "127.0.0.1" for host_ip, _ in ports), ports


def test_state_lives_in_named_volumes_and_the_vault_is_the_host_folder():
    compose = _compose_file()
    services, declared = compose["services"], set(compose["volumes"])
    api_env = services["api"]["environment"]
    assert _volume_target(services["api"]["volumes"], api_env["WIKIGRAPH_WIKI_DIR"]) == "./wiki_content"
    named = {
        _volume_target(services["api"]["volumes"], api_env["WIKIGRAPH_DATA_DIR"]),
        _volume_target(services["neo4j"]["volumes"], "/data"),
        _volume_target(services["neo4j"]["volumes"], "/logs"),
        _volume_target(services["qdrant"]["volumes"], "/qdrant/storage"),
    }
    assert None not in named and named <= declared


def test_images_are_pinned():
    services = _compose_file()["services"]
    assert re.fullmatch(r"neo4j:5\.\d+\.\d+(-community|-enterprise)?", services["neo4j"]["image"])
    assert re.fullmatch(r"qdrant/qdrant:v\d+\.\d+\.\d+", services["qdrant"]["image"])


# --- the Dockerfile agrees with the compose file ----------------------------------------------------


def test_the_image_runs_the_api_as_a_non_root_user_on_the_published_port():
    instructions = _dockerfile_instructions()
    values = {}
    for instruction, arguments in instructions:
        values.setdefault(instruction, []).append(arguments)
    assert values["FROM"][0].startswith("python:3.11-slim")
    assert values["USER"][-1].split(":")[0] not in ("root", "0")
    assert "8000" in values["EXPOSE"][-1].split()
    assert values["CMD"][-1] == '["wikigraph", "serve", "--host", "0.0.0.0", "--port", "8000"]'
    assert any("libgomp1" in run for run in values["RUN"])
    assert values["HEALTHCHECK"], "the image has a healthcheck of its own"
    api = _compose_file()["services"]["api"]
    assert "127.0.0.1:${API_PORT:-8000}:8000" in api["ports"]
    image_env = " ".join(values["ENV"])
    for key in ("WIKIGRAPH_WIKI_DIR", "WIKIGRAPH_DATA_DIR"):
        assert f"{key}={api['environment'][key]}" in image_env


# --- the healthcheck commands work ------------------------------------------------------------------


class _HealthServer:
    """Loopback HTTP server answering every GET with one status, recording the paths asked for."""

    def __init__(self) -> None:
        self.status = 200
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                outer.paths.append(self.path)
                body = b'{"status": "ok"}'
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None  # keep test output clean; requests are recorded in `paths`

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]


@pytest.fixture
def health_server() -> Iterator[_HealthServer]:
    server = _HealthServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    thread.join(timeout=5)


def _closed_port() -> int:
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_address[1]
    probe.server_close()
    return port


def _healthcheck_argv(service: str, container_port: int, port: int) -> list[str]:
    """The service's healthcheck as an argv, aimed at `port` instead of the container's port."""
    test = _compose_file()["services"][service]["healthcheck"]["test"]
    kind, args = test[0], test[1:]
    argv = ["sh", "-c", args[0]] if kind == "CMD-SHELL" else list(args)
    retargeted = [arg.replace(str(container_port), str(port)) for arg in argv]
    assert retargeted != argv, f"{service}'s healthcheck does not name port {container_port}"
    if retargeted[0] == "python":
        retargeted[0] = sys.executable
    return retargeted


def _run_probe(argv: list[str]) -> int:
    return subprocess.run(argv, capture_output=True, timeout=30).returncode


PROBES = [
    # service, port inside the container, path the probe must ask for, program it needs here
    ("qdrant", 6333, "/readyz", "bash"),
    ("neo4j", 7474, "/", "wget"),
    ("api", 8000, "/health", None),
]


@pytest.mark.parametrize(("service", "container_port", "path", "program"), PROBES)
def test_healthcheck_passes_only_on_http_200(health_server, service, container_port, path, program):
    if program and not shutil.which(program):
        pytest.skip(f"{program} is not installed here; the {service} image has it")
    argv = _healthcheck_argv(service, container_port, health_server.port)

    assert _run_probe(argv) == 0
    assert health_server.paths == [path]

    health_server.status = 503
    assert _run_probe(argv) != 0

    assert _run_probe(_healthcheck_argv(service, container_port, _closed_port())) != 0
