"""Configuration: defaults, read from the environment, validated at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from practice import crypto
from practice.proxies import parse_proxies

ENVIRONMENTS = ("development", "production", "testing")
MIN_SECRET_KEY_BYTES = 32
HOW_TO_MAKE_A_KEY = (
    "Set SECRET_KEY to a random value of at least 32 bytes, for example the output of: "
    'python3 -c "import secrets; print(secrets.token_hex(32))"'
)


class ConfigError(RuntimeError):
    """The configuration cannot run the application; the message says how to fix it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    description: str


# Every environment variable the application reads; the README's table is written from this.
SETTINGS = (
    Setting("PRACTICE_ENV", "production", "development, production or testing"),
    Setting(
        "SECRET_KEY",
        None,
        "signs sessions and tokens; required (32+ bytes) outside development",
    ),
    Setting(
        "DATABASE_URL",
        "sqlite:///<instance>/practice.db",
        "SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    ),
    Setting(
        "PRACTICE_INSTANCE_PATH",
        "./instance",
        "folder for the SQLite file and dev secret, relative to where the command runs",
    ),
    Setting("PRACTICE_TIMEZONE", "America/New_York", "the practice's time zone for appointments"),
    Setting("SESSION_IDLE_MINUTES", "15", "sign a user out after this many idle minutes"),
    Setting("SESSION_MAX_HOURS", "12", "sign a user out this long after sign-in, active or not"),
    Setting("INVITATION_TTL_HOURS", "72", "how long a partner's invitation link stays valid"),
    Setting(
        "RATELIMIT_STORAGE_URI",
        "memory://",
        "where sign-in attempts are counted; redis://host:6379 to share it between processes",
    ),
    Setting(
        "PRACTICE_ENCRYPTION_KEY",
        None,
        "data keys as id=key pairs (first current); else instance/encryption-keys.json",
    ),
    Setting(
        "PRACTICE_TRUSTED_PROXIES",
        "",
        "addresses or networks of reverse proxies whose X-Forwarded-For is believed",
    ),
    Setting(
        "PRACTICE_BASE_URL", "http://127.0.0.1:5000", "this site's address, for links in e-mail"
    ),
    Setting(
        "SMTP_HOST", None, "mail server for reminders and sign-in links; mail is off without it"
    ),
    Setting("SMTP_PORT", "587", "mail server port"),
    Setting("SMTP_USERNAME", None, "mail server user, if it needs one"),
    Setting("SMTP_PASSWORD", None, "mail server password"),
    Setting("SMTP_STARTTLS", "true", "use STARTTLS (true or false)"),
    Setting(
        "PRACTICE_REQUIRE_TWO_FACTOR",
        "false",
        "staff must use two-factor sign-in (always so in production)",
    ),
    Setting("MAIL_FROM", "practice@localhost", "sender address of the practice's e-mail"),
    Setting("CASELOAD_PAGE_SIZE", "25", "couples per caseload page"),
    Setting(
        "RETENTION_YEARS",
        "7",
        "years a closed case is kept before an admin may purge it",
    ),
    Setting(
        "REDIS_URL",
        None,
        "Redis for several app servers: sign-in counts, and PDF reports made by `practice worker`",
    ),
    Setting("REPORT_QUEUE", "reports", "the Redis queue of PDF reports (one per practice)"),
    Setting("DATABASE_POOL_SIZE", "5", "PostgreSQL connections each app process keeps open"),
    Setting("DATABASE_MAX_OVERFLOW", "5", "extra PostgreSQL connections a process may open"),
)


def _int_setting(env: dict[str, str], name: str, low: int, high: int) -> int:
    default = next(s.default for s in SETTINGS if s.name == name)
    raw = env.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _bool_setting(env: dict[str, str], name: str) -> bool:
    default = next(s.default for s in SETTINGS if s.name == name)
    raw = env.get(name, default).strip().lower()
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"{name} must be true or false, not {raw!r}")
    return raw in ("true", "1", "yes")


def _proxies_setting(env: dict[str, str]) -> tuple[object, ...]:
    try:
        return parse_proxies(env.get("PRACTICE_TRUSTED_PROXIES", ""))
    except ValueError as error:
        raise ConfigError(
            "PRACTICE_TRUSTED_PROXIES must list addresses or networks separated by commas, "
            f"such as 127.0.0.1,10.0.0.0/8; {str(error)!r} is neither"
        ) from None


def _normalise_database_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(("sqlite://", "postgresql+psycopg://")):
        return url
    raise ConfigError(
        "DATABASE_URL must start with sqlite:// or postgresql:// "
        f"(PostgreSQL is reached through psycopg 3), not {url.split(':', 1)[0]!r}"
    )


def _dev_secret_key(instance_path: Path) -> str:
    # A development key that survives restarts, so demo sign-ins are not lost on reload.
    key_file = instance_path / "dev-secret-key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _keyring(environment: str, instance_path: Path, env: dict[str, str]) -> crypto.Keyring:
    """The data keys: from PRACTICE_ENCRYPTION_KEY, else the instance folder's key file (which
    development makes on first use); production refuses to start without either."""
    try:
        if env.get("PRACTICE_ENCRYPTION_KEY"):
            return crypto.parse_env(env["PRACTICE_ENCRYPTION_KEY"])
        key_file = instance_path / crypto.KEY_FILE
        if key_file.exists():
            return crypto.read_file(key_file)
    except crypto.KeyringError as error:
        raise ConfigError(str(error)) from None
    if environment == "production":
        raise ConfigError(
            "No encryption key: set PRACTICE_ENCRYPTION_KEY (practice keys new prints one) or "
            f"put {crypto.KEY_FILE} in the instance folder, and keep a copy with the backups."
        )
    keyring = crypto.new_keyring()
    if environment == "development":
        crypto.write_file(key_file, keyring)
    return keyring


def load_config(instance_path: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """Read the settings from the environment and refuse a configuration that cannot run."""
    env = dict(os.environ if env is None else env)
    environment = env.get("PRACTICE_ENV", "production")
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"PRACTICE_ENV must be one of {', '.join(ENVIRONMENTS)}")

    secret_key = env.get("SECRET_KEY", "")
    if environment == "production" and len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            "SECRET_KEY is missing or shorter than 32 bytes, so Practice will not start in "
            f"production. {HOW_TO_MAKE_A_KEY}"
        )
    if not secret_key:
        secret_key = (
            _dev_secret_key(instance_path)
            if environment == "development"
            else secrets.token_hex(32)
        )

    database_url = _normalise_database_url(
        env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'practice.db'}"
    )
    timezone = env.get("PRACTICE_TIMEZONE", "America/New_York")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"PRACTICE_TIMEZONE must be a time zone name such as America/Chicago, not {timezone!r}"
        ) from None
    local = environment != "production"
    settings = {
        "PRACTICE_ENV": environment,
        "TESTING": environment == "testing",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "PRACTICE_TIMEZONE": timezone,
        "SESSION_IDLE_MINUTES": _int_setting(env, "SESSION_IDLE_MINUTES", 1, 24 * 60),
        "SESSION_MAX_HOURS": _int_setting(env, "SESSION_MAX_HOURS", 1, 7 * 24),
        "INVITATION_TTL_HOURS": _int_setting(env, "INVITATION_TTL_HOURS", 1, 30 * 24),
        "CASELOAD_PAGE_SIZE": _int_setting(env, "CASELOAD_PAGE_SIZE", 5, 200),
        "RETENTION_YEARS": _int_setting(env, "RETENTION_YEARS", 1, 100),
        "SESSION_COOKIE_NAME": "practice_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Local development runs over plain http on 127.0.0.1; everywhere else needs https.
        "SESSION_COOKIE_SECURE": not local,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session, which expires
        "BOOTSTRAP_SERVE_LOCAL": True,
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,  # room for a directory package upload
        "REDIS_URL": env.get("REDIS_URL") or None,
        "REPORT_QUEUE": env.get("REPORT_QUEUE") or "reports",
        # With Redis, every app server counts sign-in failures in one place.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI")
        or env.get("REDIS_URL")
        or "memory://",
        "DATABASE_POOL_SIZE": _int_setting(env, "DATABASE_POOL_SIZE", 1, 100),
        "DATABASE_MAX_OVERFLOW": _int_setting(env, "DATABASE_MAX_OVERFLOW", 0, 100),
        "PRACTICE_TRUSTED_PROXIES": _proxies_setting(env),
        "PRACTICE_BASE_URL": env.get("PRACTICE_BASE_URL", "http://127.0.0.1:5000"),
        "SMTP_HOST": env.get("SMTP_HOST") or None,
        "SMTP_PORT": _int_setting(env, "SMTP_PORT", 1, 65535),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool_setting(env, "SMTP_STARTTLS"),
        # Offered everywhere; required of staff in production, elsewhere when asked for.
        "PRACTICE_REQUIRE_TWO_FACTOR": environment == "production"
        or _bool_setting(env, "PRACTICE_REQUIRE_TWO_FACTOR"),
        "MAIL_FROM": env.get("MAIL_FROM", "practice@localhost"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "ENCRYPTION_KEYRING": _keyring(environment, instance_path, env),
        # Where the keys live: the environment, or the instance folder's key file.
        "ENCRYPTION_KEY_SOURCE": "environment"
        if env.get("PRACTICE_ENCRYPTION_KEY")
        else str(instance_path / crypto.KEY_FILE),
    }
    if environment != "development":
        # Flask would otherwise take debug from FLASK_DEBUG, left over from a developer's shell.
        settings["DEBUG"] = False
    return settings
