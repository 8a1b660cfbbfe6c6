"""Typed readers for settings that come from environment variables.

Each helper raises ImproperlyConfigured at start-up when a value is malformed,
so a typo in a deployment stops the process instead of running half-configured.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_cidrs(name: str) -> list[str]:
    """A comma-separated list of networks (CIDR), checked at start-up."""
    import ipaddress

    networks = env_list(name, [])
    for item in networks:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not a network such as 10.1.2.0/24.") from None
    return networks


def env_url(name: str, default: str = "") -> str:
    """An optional http(s) URL (may contain {z}/{x}/{y} placeholders)."""
    value = os.environ.get(name, default).strip()
    if value and not value.startswith(("http://", "https://", "/")):
        raise ImproperlyConfigured(f"{name} must be an http(s) URL or a path, got {value!r}.")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of words (compared in lower case)."""
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def env_path_prefix(name: str, default: str) -> str:
    """A URL path that starts and ends with '/', such as /protected/."""
    value = os.environ.get(name, default).strip()
    if not (value.startswith("/") and value.endswith("/")) or "//" in value or ".." in value:
        raise ImproperlyConfigured(f"{name} must be a path like /protected/, got {value!r}.")
    return value
