"""Configuration. Every setting comes from a ``SMALLWORKS_`` environment variable.

The README has the table of settings; keep it in step with this class.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import secrets
import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMALLWORKS_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR / 'smallworks.db'}"
    database_pool_size: int = 10
    # PostgreSQL: the memory of one sort or hash of a statement before it spills to disk
    # (app.db.postgresql_settings); each connection may use it several times at once.
    database_work_mem: str = Field(default="32MB", pattern=r"^[1-9][0-9]*(kB|MB|GB)$")
    # An optional read replica (PostgreSQL streaming replica) for queries.
    database_read_url: str | None = None
    read_your_writes_seconds: float = 10.0
    redis_url: str | None = None

    # Tokens
    jwt_secret: str | None = Field(default=None, description="HMAC key for access tokens (HS256)")
    jwt_issuer: str = "smallworks"
    jwt_audience: str = "smallworks-api"
    access_token_ttl_seconds: int = 900
    # Who a token speaks for is kept this long per process (0: looked up on every request);
    # a committed change to accounts, roles or sign-in sessions clears it at once, in every
    # process when Redis is configured, else within this time.
    sign_in_cache_seconds: float = Field(default=10.0, ge=0)
    refresh_token_ttl_seconds: int = 30 * 24 * 3600

    # Field encryption: JSON object {"key id": "base64 32-byte key"}; the active key id encrypts.
    data_keys: str | None = None
    data_key_id: str | None = None

    # Sign-in throttling (resolvers/accounts/auth.py), three limits. One account: after this
    # many failures in a row, each further attempt waits a delay that starts at the base and
    # doubles with every further failure, up to the maximum; a successful sign-in ends the run.
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_delay_base_seconds: float = Field(default=1.0, gt=0)
    login_delay_max_seconds: float = Field(default=300.0, gt=0)
    # Failures older than this no longer count towards an account's delay.
    login_failure_memory_seconds: int = Field(default=24 * 3600, ge=1)
    # One account from one client address: locked after this many failures within the window.
    login_max_failures_per_account_address: int = Field(default=10, ge=1)
    # One client address, all accounts together: a high ceiling against password spraying
    # (an office behind one NAT address shares it).
    login_max_failures_per_address: int = Field(default=200, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    # Proxies whose X-Forwarded-For is believed: comma-separated addresses or networks
    # (CIDR). Empty: the client address is the peer of the connection, whatever it sends.
    trusted_proxies: str = ""
    password_min_length: int = 10
    password_min_score: int = 3

    # Password hashing (argon2id). Hashes made with other values are redone at the next sign-in.
    password_hash_time_cost: int = Field(default=3, ge=1, description="argon2id iterations")
    password_hash_memory_kib: int = Field(default=64 * 1024, ge=8, description="argon2id memory per hash, KiB")
    password_hash_parallelism: int = Field(default=4, ge=1, description="argon2id lanes")

    # GraphQL limits
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    # Nodes an operation may ask for: connection sizes multiplied down their nesting.
    max_query_nodes: int = 50_000
    page_size_max: int = 100
    page_size_default: int = 20
    document_cache_size: int = 1000
    # Persisted queries: texts clients register by hash live this long in Redis.
    persisted_query_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=60)
    # Run registered (trusted) documents only; production deployments with known clients.
    trusted_documents_only: bool = False
    trusted_documents_cache_seconds: float = Field(default=30.0, ge=0)
    # Largest JSON (or GET) GraphQL request body; uploads have their own limit.
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    policy_cache_seconds: float = 1.0
    # Four-eyes rule (四眼原则): a policy change waits for a second policy administrator.
    policy_four_eyes: bool = False
    # How long a change waiting for the second administrator stays open.
    policy_change_ttl_hours: int = Field(default=72, ge=1, le=24 * 90)

    # Business rules
    small_works_ceiling: Decimal = Decimal("500000.00")
    project_code_prefix: str = "XM"
    review_chain: str = Field(default="reviewer,finance_officer", description="Roles deciding each review step, in order")
    geofence_radius_min_m: int = 50
    geofence_radius_max_m: int = 5000
    # Tendering: invited suppliers (rfq, negotiation) and valid bids at opening, every method.
    tender_code_prefix: str = "ZB"
    tender_minimum_suppliers: int = Field(default=3, ge=1)
    # Working days (official calendar) from publication, or from a change of the documents, to the deadline.
    tender_response_working_days: int = Field(default=3, ge=1)
    committee_minimum_size: int = Field(default=3, ge=1)
    committee_maximum_size: int = Field(default=9, ge=1)
    award_publicity_days: int = Field(default=3, ge=1)
    # Contracts: drafted within this many days of the award (later ones carry a warning);
    # the advance (预付款) and retention (质保金) limits as percentages of the contract amount;
    # the default defect liability period; days after signing by which the advance is due.
    contract_code_prefix: str = "HT"
    contract_draft_days: int = Field(default=30, ge=1)
    contract_advance_max_percent: Decimal = Field(default=Decimal("30"), ge=0, le=100)
    contract_retention_max_percent: Decimal = Field(default=Decimal("3"), ge=0, le=100)
    contract_defect_liability_months: int = Field(default=12, ge=0, le=120)
    contract_advance_due_days: int = Field(default=14, ge=0)
    # Days before each key date that its reminder goes to the parties (once each).
    contract_remind_advance_days: int = Field(default=3, ge=0)
    contract_remind_milestone_days: int = Field(default=7, ge=0)
    contract_remind_works_end_days: int = Field(default=14, ge=0)
    contract_remind_defect_end_days: int = Field(default=30, ge=0)
    # Construction progress: a check-in reporting a worse accuracy than this, or a device
    # clock further than this from the server's, is flagged; so is a photo taken further than
    # this from its log's day.
    progress_checkin_max_accuracy_m: float = Field(default=100.0, gt=0)
    progress_device_time_skew_seconds: int = Field(default=300, ge=0)
    progress_photo_capture_max_hours: int = Field(default=24, ge=0)
    # Days after acceptance by which a milestone's or the final payment is due.
    progress_payment_due_days: int = Field(default=14, ge=0)
    # Days the contractor has to put right a failed inspection item, unless the inspection says.
    progress_rectification_days: int = Field(default=7, ge=1)
    # Warnings: working days without a daily log while works are under way; days before the
    # end of the works period that milestones still outstanding are warned of.
    progress_log_gap_working_days: int = Field(default=3, ge=1)
    progress_works_ending_days: int = Field(default=7, ge=0)
    # Payments: the roles deciding each approval step of a payment request, in order (the
    # owner's staff decide for the owner, a finance officer for the region it covers); the
    # code prefix of requests; how long archived invoices are kept (会计档案: 30 years); the
    # largest e-invoice XML read.
    payment_approval_chain: str = Field(
        default="owner_staff,finance_officer", description="Roles deciding each payment approval step, in order"
    )
    payment_code_prefix: str = "ZF"
    invoice_retention_years: int = Field(default=30, ge=1, le=100)
    invoice_xml_max_bytes: int = Field(default=1024 * 1024, ge=1024)
    # -- reports: the target for application to approval, in days, that the cycle-times report
    # shows the median against (the seed: 15 days before, 5 at most); the most groups a report
    # answers over GraphQL (an export streams any number).
    report_approval_target_days: Decimal = Field(default=Decimal("5"), ge=0, le=365, decimal_places=2)
    report_max_rows: int = Field(default=5000, ge=1)

    # -- OCDS publication (GET /ocds/releases, GET /ocds/records/{ocid}): the OCID prefix the
    # Open Contracting Partnership registered for the publisher (every process's ocid is the
    # prefix, "-" and its project's code; the default is a placeholder); the publisher each
    # package names (scheme and uid: an org-id.guide scheme such as CN-USCI and the
    # publisher's identifier in it); the license and publication policy the packages link to;
    # the public address of this API, which packages' uri and links start with (unset: the
    # address each request came to); the most releases one page holds.
    ocds_ocid_prefix: str = Field(default="ocds-xxxxxx", pattern=r"^ocds-[a-z0-9]{6}$")
    ocds_publisher_name: str = Field(default="smallworks", min_length=1)
    ocds_publisher_scheme: str | None = None
    ocds_publisher_uid: str | None = None
    ocds_publisher_uri: str | None = None
    ocds_license: str | None = None
    ocds_publication_policy: str | None = None
    ocds_base_url: str | None = None
    ocds_page_size: int = Field(default=100, ge=1, le=1000)

    # -- red flags (resolvers/supervision/flag_rules.py; the README's table says what each does)
    red_flag_submission_days: int = Field(default=5, ge=1)
    red_flag_fence_multiplier: Decimal = Field(default=Decimal("1.5"), gt=0, le=10)
    red_flag_outlier_minimum_group: int = Field(default=5, ge=2)
    red_flag_close_second_price_ratio: Decimal | None = Field(default=None, gt=0, le=10)
    red_flag_heavy_discount_ratio: Decimal | None = Field(default=None, gt=0, le=100)
    red_flag_top_tenderer_percentile: int = Field(default=75, ge=1, le=99)
    red_flag_unsuccessful_ratio: Decimal | None = Field(default=None, gt=0, le=1)
    red_flag_disqualified_ratio: Decimal | None = Field(default=None, gt=0, le=1)
    red_flag_minimum_submitted_bids: int = Field(default=2, ge=1)
    red_flag_minimum_processes: int = Field(default=2, ge=1)
    red_flag_other_disqualified: int = Field(default=1, ge=1)
    red_flag_check_in_distance_m: float = Field(default=1000.0, gt=0)
    red_flag_far_check_in_days: int = Field(default=1, ge=1)
    red_flag_groups_per_run: int = Field(default=4, ge=1)
    red_flag_recompute_interval_seconds: int = Field(default=60, ge=0)
    # -- end red flags

    # Background work: outbox, notifications, reminders
    worker_max_tries: int = 8
    worker_retry_seconds: float = 30.0
    worker_job_timeout_seconds: int = 120
    outbox_grace_seconds: float = 10.0
    outbox_redispatch_seconds: float = 300.0
    outbox_max_dispatches: int = 5
    background_interval_seconds: float = 60.0
    review_reminder_working_days: int = 2
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    smtp_from: str = "smallworks <noreply@smallworks.local>"
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = 6
    webhook_backoff_seconds: float = 10.0

    # Documents
    storage_dir: Path = VAR_DIR / "storage"
    # Archived invoices (发票归档), kept apart from working files: content-addressed, never rewritten.
    archive_dir: Path = VAR_DIR / "archive"
    upload_max_bytes: int = 20 * 1024 * 1024

    # -- exports (resolvers/supervision/exports.py)
    # Where export files are kept until they expire (unset: <SMALLWORKS_STORAGE_DIR>/exports);
    # the API and the worker must share it.
    export_dir: Path | None = None
    # An export of at most this many rows is written in the request; a larger one by the worker.
    export_inline_max_rows: int = Field(default=2000, ge=0)
    # The most rows one file may hold (an XLSX sheet holds 1,048,576 with its header). The worker
    # writes about 100,000 XLSX rows in 40-50 s on a busy 2-core machine (README, Performance):
    # SMALLWORKS_WORKER_JOB_TIMEOUT_SECONDS must cover the largest export.
    export_max_rows: int = Field(default=200_000, ge=1, le=1_048_575)
    # Rows read per statement, and how often a running export reports its progress.
    export_batch_rows: int = Field(default=1000, ge=1, le=10_000)
    export_progress_rows: int = Field(default=5000, ge=1)
    # A ready file is deleted after this many hours (the job is then EXPIRED).
    export_retention_hours: int = Field(default=72, ge=1)
    # A job queued or running this long without progress is failed (its worker was lost).
    export_stale_minutes: int = Field(default=60, ge=1)

    # Observability: logs, metrics (/metrics), traces
    log_format: Literal["json", "text"] | None = Field(default=None, description="json in production, text otherwise")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Bearer token /metrics asks for; unset: /metrics is open outside production and absent in production.
    metrics_token: str | None = Field(default=None, min_length=16)
    # Distinct operation names given their own metric labels per process; later ones count as "(other)".
    metrics_max_operations: int = Field(default=100, ge=0)
    # The arq worker serves its metrics over HTTP on this port when set (no token: bind it privately).
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    worker_metrics_host: str = "127.0.0.1"
    # OTLP/HTTP endpoint for traces (e.g. http://collector:4318); OTEL_EXPORTER_OTLP_ENDPOINT works too.
    otel_endpoint: str | None = None

    # -- evidence: signed checkpoints of the audit chain (resolvers/supervision/checkpoints.py)
    checkpoint_enabled: bool = True
    checkpoint_algorithm: Literal["ed25519", "sm2-sm3"] = "ed25519"
    # The raw 32-byte private key, base64 or hex (`smallworks gen-keys` makes one). Production
    # needs it while checkpoints are on; development and test generate one under var/.
    checkpoint_private_key: str | None = None
    # While events come in, at most one checkpoint per interval; without events, one at least
    # every maximum interval (0: none), for which an event is recorded so that the head moves.
    checkpoint_interval_seconds: int = Field(default=600, ge=0)
    checkpoint_max_interval_seconds: int = Field(default=24 * 3600, ge=0)
    # Where each checkpoint is published outside the database: a directory (one JSON file per
    # checkpoint) and/or a webhook (POST of the same JSON; a bearer token when set).
    checkpoint_publish_dir: Path | None = None
    checkpoint_webhook_url: str | None = None
    checkpoint_webhook_token: str | None = None
    checkpoint_webhook_attempts: int = Field(default=3, ge=1)
    checkpoint_webhook_backoff_seconds: float = Field(default=2.0, ge=0)

    @field_validator(
        "checkpoint_publish_dir", "checkpoint_webhook_url", "checkpoint_webhook_token", "checkpoint_private_key", mode="before"
    )
    @classmethod
    def _checkpoint_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # an empty variable is no value

    @field_validator("checkpoint_webhook_url")
    @classmethod
    def _checkpoint_webhook(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("SMALLWORKS_CHECKPOINT_WEBHOOK_URL must be an http:// or https:// URL")
        return value or None

    @model_validator(mode="after")
    def _checkpoint_key(self) -> Settings:
        if not self.checkpoint_private_key:
            if not self.checkpoint_enabled or self.production:
                return self  # production without it is refused by _secrets
            self.checkpoint_private_key = _development_checkpoint_key(self.checkpoint_algorithm)
        self._checkpoint_key_bytes = parse_private_key(self.checkpoint_algorithm, self.checkpoint_private_key)
        return self

    _checkpoint_key_bytes: bytes | None = PrivateAttr(default=None)

    @property
    def checkpoint_key(self) -> bytes | None:
        """``checkpoint_private_key`` read: the raw private key, or None when there is none."""
        return self._checkpoint_key_bytes

    # -- end evidence

    @field_validator("review_chain", "payment_approval_chain")
    @classmethod
    def _chain(cls, value: str) -> str:
        from models.accounts import ROLES

        roles = [r.strip() for r in value.split(",") if r.strip()]
        unknown = [r for r in roles if r not in ROLES]
        if not roles or unknown:
            raise ValueError(f"an approval chain needs one or more known roles; unknown: {unknown}")
        return ",".join(roles)

    # -- OCDS publication
    @field_validator("ocds_publisher_uri", "ocds_license", "ocds_publication_policy", "ocds_base_url")
    @classmethod
    def _ocds_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """An absolute http(s) address, as OCDS packages carry them; the base address without
        its trailing slash (paths are added to it)."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http:// or https:// address")
        return value.rstrip("/") if info.field_name == "ocds_base_url" else value

    _trusted_proxy_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = PrivateAttr(default=())

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        bad = []
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                bad.append(entry)
        if bad:
            raise ValueError(
                f"SMALLWORKS_TRUSTED_PROXIES takes comma-separated IP addresses or networks (CIDR, e.g. 10.0.0.0/8); not one: {', '.join(bad)}"
            )
        return ",".join(entries)

    @model_validator(mode="after")
    def _proxy_networks(self) -> Settings:
        self._trusted_proxy_networks = tuple(
            ipaddress.ip_network(entry, strict=False) for entry in self.trusted_proxies.split(",") if entry
        )
        return self

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``trusted_proxies`` parsed: the networks whose X-Forwarded-For is believed."""
        return self._trusted_proxy_networks

    @model_validator(mode="after")
    def _login_delays(self) -> Settings:
        if self.login_delay_max_seconds < self.login_delay_base_seconds:
            raise ValueError("SMALLWORKS_LOGIN_DELAY_MAX_SECONDS must be at least SMALLWORKS_LOGIN_DELAY_BASE_SECONDS")
        return self

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" if self.log_format else self.production

    @field_validator("database_url", "database_read_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        """Accept plain URLs and pick the async driver, so ``postgresql://`` just works."""
        if value is None:
            return None
        for plain, driver in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("mysql://", "mysql+aiomysql://"),
            ("mariadb://", "mysql+aiomysql://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if value.startswith(plain):
                return driver + value[len(plain) :]
        return value

    @model_validator(mode="after")
    def _replica(self) -> Settings:
        if self.database_read_url and self.database_url.startswith("sqlite"):
            raise ValueError("SMALLWORKS_DATABASE_READ_URL needs PostgreSQL or MariaDB (SQLite has no replicas)")
        return self

    @model_validator(mode="after")
    def _password_hash_memory(self) -> Settings:
        if self.password_hash_memory_kib < 8 * self.password_hash_parallelism:
            raise ValueError("SMALLWORKS_PASSWORD_HASH_MEMORY_KIB must be at least 8 × SMALLWORKS_PASSWORD_HASH_PARALLELISM")
        return self

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        if self.production:
            needed = ("jwt_secret", "data_keys", "data_key_id") + (("checkpoint_private_key",) if self.checkpoint_enabled else ())
            missing = [n for n in needed if not getattr(self, n)]
            if missing:
                names = ", ".join("SMALLWORKS_" + n.upper() for n in missing)
                raise ValueError(f"production mode needs {names}")
        else:
            # Development and test: keys are generated once and kept under var/ (never in git).
            dev = _development_secrets()
            self.jwt_secret = self.jwt_secret or dev["jwt_secret"]
            if not self.data_keys:
                self.data_keys = json.dumps(dev["data_keys"])
                self.data_key_id = self.data_key_id or dev["data_key_id"]
        keys = parse_key_ring(self.data_keys or "")
        if self.data_key_id not in keys:
            raise ValueError(
                f"SMALLWORKS_DATA_KEY_ID {self.data_key_id!r} names no key of SMALLWORKS_DATA_KEYS (it has {', '.join(map(repr, keys))})"
            )
        if len(self.jwt_secret or "") < 32:
            raise ValueError("SMALLWORKS_JWT_SECRET must be at least 32 characters")
        return self

    @property
    def key_ring(self) -> dict[str, bytes]:
        return parse_key_ring(self.data_keys or "{}")


KEY_RING_FORMAT = '"id:base64,id:base64" or a JSON object {"id": "base64"}, each key 32 bytes'


def parse_key_ring(text: str) -> dict[str, bytes]:
    """The field-encryption keys of ``SMALLWORKS_DATA_KEYS``: ``id:base64`` pairs separated
    by commas (nothing in them needs quoting, in an env file or a shell), or a JSON object
    of ids and base64 keys. A ValueError says what is wrong, never showing a key."""
    text = text.strip()
    raw: object
    if text.startswith(("{", "[", '"')):
        try:
            raw = json.loads(text)
        except ValueError:
            raise ValueError(f"SMALLWORKS_DATA_KEYS is not valid JSON: it must be {KEY_RING_FORMAT}") from None
    else:
        pairs = [item.strip().partition(":") for item in text.split(",")] if text else []
        if any(not sep for _kid, sep, _value in pairs):
            raise ValueError(f"SMALLWORKS_DATA_KEYS must be {KEY_RING_FORMAT}")
        listed: dict[str, str] = {}
        for kid, _sep, value in pairs:
            if kid in listed:
                raise ValueError(f"SMALLWORKS_DATA_KEYS names key id {kid!r} twice")
            listed[kid] = value
        raw = listed
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"SMALLWORKS_DATA_KEYS must be {KEY_RING_FORMAT}, at least one")
    ring: dict[str, bytes] = {}
    for kid, value in raw.items():
        if not kid or ":" in kid:
            raise ValueError(f"SMALLWORKS_DATA_KEYS: key id {kid!r} must be non-empty and without ':'")
        try:
            if not isinstance(value, str):
                raise ValueError
            key = base64.b64decode(value)
        except ValueError:  # binascii.Error too
            raise ValueError(f"SMALLWORKS_DATA_KEYS: key {kid!r} is not a base64 string") from None
        if len(key) != 32:
            raise ValueError(f"SMALLWORKS_DATA_KEYS: key {kid!r} must be 32 bytes, base64-encoded (it is {len(key)})")
        ring[kid] = key
    return ring


def render_key_ring(ring: dict[str, bytes]) -> str:
    """``SMALLWORKS_DATA_KEYS`` for a key ring: ``id:base64`` pairs, or JSON if an id holds
    a character the pairs cannot carry."""
    encoded = {kid: base64.b64encode(key).decode() for kid, key in ring.items()}
    if all(kid.isascii() and kid.replace("-", "").replace("_", "").replace(".", "").isalnum() for kid in encoded):
        return ",".join(f"{kid}:{value}" for kid, value in encoded.items())
    return json.dumps(encoded, separators=(",", ":"))


# -- evidence: the checkpoint key
def parse_private_key(algorithm: str, text: str) -> bytes:
    """The raw private key of ``SMALLWORKS_CHECKPOINT_PRIVATE_KEY`` (base64 or hex of 32
    bytes, in range for the algorithm). A ValueError says what is wrong, never showing it."""
    from resolvers.security.signing import SignatureFormatError, derive_public_key

    compact = "".join(text.split())
    raw: bytes | None = None
    if len(compact) == 64 and all(c in "0123456789abcdefABCDEF" for c in compact):
        raw = bytes.fromhex(compact)
    else:
        try:
            raw = base64.b64decode(compact, validate=True)
        except ValueError:  # binascii.Error too
            raw = None
    if raw is None or len(raw) != 32:
        raise ValueError(f"SMALLWORKS_CHECKPOINT_PRIVATE_KEY must be the 32 bytes of a raw {algorithm} private key, base64 or hex")
    try:
        derive_public_key(algorithm, raw)
    except SignatureFormatError:
        raise ValueError(f"SMALLWORKS_CHECKPOINT_PRIVATE_KEY is not a valid {algorithm} private key") from None
    return raw


def _development_checkpoint_key(algorithm: str) -> str:
    """A checkpoint key of ``algorithm`` made once and kept beside the development secrets."""
    from resolvers.security.signing import generate_key

    secrets_file = Path(os.environ.get("SMALLWORKS_DEV_SECRETS_FILE", VAR_DIR / "dev-secrets.json"))
    path = secrets_file.with_name(f"dev-checkpoint-{algorithm}.key")
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = base64.b64encode(generate_key(algorithm).private_key).decode()
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another process won the race; read what it wrote
        for _ in range(50):
            text = path.read_text().strip()
            if text:
                return text
            time.sleep(0.02)
        raise
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


# -- end evidence


def setting_problems(error: ValidationError) -> list[str]:
    """One line per problem of a settings validation error, naming the environment variable
    and never echoing a value (it may be a secret)."""
    lines = []
    for item in error.errors(include_url=False, include_input=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        loc = [str(part) for part in item["loc"]]
        lines.append(f"SMALLWORKS_{loc[0].upper()}: {message}" if loc else message)
    return lines


def _development_secrets() -> dict:
    path = Path(os.environ.get("SMALLWORKS_DEV_SECRETS_FILE", VAR_DIR / "dev-secrets.json"))
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "jwt_secret": secrets.token_urlsafe(48),
        "data_keys": {"dev1": base64.b64encode(secrets.token_bytes(32)).decode()},
        "data_key_id": "dev1",
    }
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another process won the race; read what it wrote
        for _ in range(50):
            text = path.read_text()
            if text:
                return json.loads(text)
            time.sleep(0.02)
        raise
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(data))
    return data


@lru_cache
def get_settings() -> Settings:
    return Settings()
