"""Reading configuration from environment variables."""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def data_dir_secret_key(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def parse_email_url(url: str, *, smtp_backend: str = "") -> dict:
    """EMAIL_URL → Django's MAILERS["default"].

    console://, locmem://, dummy://, file:///path, smtp[s]://user:pass@host:port[?tls=1].
    `smtp_backend` names the backend class for smtp[s] (Django's own when empty).
    """
    parsed = urlparse(url)
    scheme = parsed.scheme
    backends = "django.core.mail.backends"
    if scheme in {"console", "locmem", "dummy"}:
        return {"BACKEND": f"{backends}.{scheme}.EmailBackend"}
    if scheme == "file":
        return {
            "BACKEND": f"{backends}.filebased.EmailBackend",
            "OPTIONS": {"file_path": parsed.path},
        }
    if scheme in {"smtp", "smtps"}:
        query = parse_qs(parsed.query)
        return {
            "BACKEND": smtp_backend or f"{backends}.smtp.EmailBackend",
            "OPTIONS": {
                "host": parsed.hostname or "localhost",
                "port": parsed.port or (465 if scheme == "smtps" else 25),
                "username": unquote(parsed.username or ""),
                "password": unquote(parsed.password or ""),
                "use_ssl": scheme == "smtps",
                "use_tls": query.get("tls", ["0"])[0] in {"1", "true"},
                "timeout": 20,
            },
        }
    raise ValueError(f"EMAIL_URL: unsupported scheme {scheme!r}")
